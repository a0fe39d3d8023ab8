import {
  type Agent,
  defineTool,
  type EquivocationOutcome,
  type SpotCheckResult,
  spotCheckTag,
} from '@gotong/agent'
import { reputationRegistryAbi, validationRegistryAbi } from '@gotong/contracts'
import { contentHash } from '@gotong/core'
import { type Hex, parseEventLogs } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { type Setup, setup } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup({ accounts: 10 })
})
afterAll(async () => {
  await t?.stop()
})

const price = 1_000n
const gusd = (units: number) => BigInt(units) * 1_000_000n

/** One tool definition (name, schemas) every provider here serves; only the handler differs. */
function stockTool(units: (sku: string) => number) {
  return defineTool({
    name: 'stock-level',
    description: 'Stock level of a SKU (deterministic).',
    tags: ['stock'],
    input: z.object({ sku: z.string() }),
    output: z.object({ sku: z.string(), units: z.number().int() }),
    handler: ({ sku }) => ({ sku, units: units(sku) }),
  })
}

/** A sequence of draws for `random`: the spot checker samples a call when its draw is below the rate. */
function draws(...values: number[]) {
  let i = 0
  return () => values[Math.min(i++, values.length - 1)]!
}

async function provider(index: number, units: (sku: string) => number) {
  const agent = await t.agent(index, { name: `stock-${index}` })
  const served = await agent.serve(stockTool(units), { price, deterministic: true })
  return { agent, served, agentId: agent.identity!.agentId }
}

const validationSummary = (agentId: bigint, validator: Hex) =>
  t.devnet.publicClient.readContract({
    address: t.contracts.validationRegistry!,
    abi: validationRegistryAbi,
    functionName: 'getSummary',
    args: [agentId, [validator], spotCheckTag],
  })

/** The paid reputation: the registry's summary over the receipt gateway's feedback alone. */
const paidReputation = (agentId: bigint) =>
  t.devnet.publicClient.readContract({
    address: t.contracts.reputationRegistry!,
    abi: reputationRegistryAbi,
    functionName: 'getSummary',
    args: [agentId, [t.contracts.receiptFeedbackGateway!], '', 'paid'],
  })

/** The evidence a validation response points at, decoded from its data: URI. */
async function evidenceOf(transactionHash: Hex) {
  const mined = await t.devnet.publicClient.getTransactionReceipt({ hash: transactionHash })
  const [event] = parseEventLogs({
    abi: validationRegistryAbi,
    logs: mined.logs,
    eventName: 'ValidationResponse',
  })
  const uri = event!.args.responseURI
  const prefix = 'data:application/json;base64,'
  expect(uri.startsWith(prefix)).toBe(true)
  const document = JSON.parse(Buffer.from(uri.slice(prefix.length), 'base64').toString('utf8'))
  return { event: event!.args, document }
}

describe('spot checks of deterministic tools', () => {
  let consumer: Agent
  const checks: SpotCheckResult[] = []

  test('a provider that answers consistently but wrongly is outvoted by two others: validation 0 in the registry, its paid reputation lowered', async () => {
    const liar = await provider(1, () => 70)
    const honestA = await provider(2, () => 7)
    const honestB = await provider(3, () => 7)
    consumer = await t.agent(4, {
      name: 'checker',
      trust: {
        // The first call is not sampled (0.5 ≥ 0.2); the second is.
        spotCheck: { rate: 0.2, random: draws(0.5, 0.1, 0.9), onSpotCheck: (r) => checks.push(r) },
      },
    })
    const first = await consumer.call(liar.served.toolId, { sku: 'A-1' })
    expect(first.output).toEqual({ sku: 'A-1', units: 70 })
    await consumer.evidence.settled()
    expect(checks).toEqual([])
    const second = await consumer.call(liar.served.toolId, { sku: 'B-2' })
    expect(second.output).toEqual({ sku: 'B-2', units: 70 })
    await consumer.evidence.settled()

    expect(checks).toHaveLength(1)
    const check = checks[0]!
    expect(check.failures).toEqual([])
    expect({
      verdict: check.verdict,
      wrong: check.wrong,
      peers: check.peers.map((p) => p.provider),
      calls: check.calls,
      spent: check.spent,
    }).toEqual({
      verdict: 'wrong',
      wrong: [liar.agent.address],
      // Re-asked itself (same answer), then one peer disagreed and a second broke the tie.
      peers: [honestA.agent.address, honestB.agent.address],
      calls: 3,
      spent: 3n * price,
    })
    expect(check.reasked?.responseHash).toBe(check.original.responseHash)
    expect(check.inputHash).toBe(contentHash({ sku: 'B-2' }))

    // The validation registry: the checking consumer is the validator; 0 for the liar, 100 for the others.
    expect(await validationSummary(liar.agentId, consumer.address)).toEqual([1n, 0])
    expect(await validationSummary(honestA.agentId, consumer.address)).toEqual([1n, 100])
    expect(await validationSummary(honestB.agentId, consumer.address)).toEqual([1n, 100])
    const liarValidation = check.validations.find((v) => v.provider === liar.agent.address)!
    const status = await t.devnet.publicClient.readContract({
      address: t.contracts.validationRegistry!,
      abi: validationRegistryAbi,
      functionName: 'getValidationStatus',
      args: [liarValidation.requestHash],
    })
    expect(status.slice(0, 5)).toEqual([
      consumer.address,
      liar.agentId,
      0,
      liarValidation.evidenceHash,
      spotCheckTag,
    ])
    // The evidence is the signed receipts compared, and the response commits to it by hash.
    const { event, document } = await evidenceOf(liarValidation.transactionHashes[1])
    expect(event.responseHash).toBe(contentHash(document))
    expect(
      document.receipts.map((r: { signed: { signature: Hex } }) => r.signed.signature),
    ).toEqual([check.original, check.reasked!, ...check.peers].map((a) => a.receipt.signature))
    expect(document.receipts[0].signed.receipt.responseHash).toBe(check.original.responseHash)

    // The paid reputation: one feedback of 0, backed by the liar's receipt.
    expect(check.feedback).toMatchObject([{ given: true, agentId: liar.agentId, value: 0 }])
    const [count, value] = await paidReputation(liar.agentId)
    expect({ count, value }).toEqual({ count: 1n, value: 0n })

    // The cost of checking: three calls re-bought for two deterministic calls.
    expect(consumer.trustStats()).toEqual({
      deterministicCalls: 2,
      deterministicSpent: 2n * price,
      spotChecks: 1,
      rebought: 3,
      reboughtSpent: 3n * price,
      mismatches: 1,
    })
  })

  test('two providers that disagree with no third to ask are disputed: nothing recorded, the cost still counted', async () => {
    // Another definition (its own name), served by two providers only.
    const parity = (answer: (n: number) => boolean) =>
      defineTool({
        name: 'is-even',
        description: 'Whether a number is even (deterministic).',
        tags: ['parity'],
        input: z.object({ n: z.number().int() }),
        output: z.object({ even: z.boolean() }),
        handler: ({ n }) => ({ even: answer(n) }),
      })
    const a = await t.agent(7, { name: 'parity-a' })
    const b = await t.agent(8, { name: 'parity-b' })
    const servedA = await a.serve(
      parity((n) => n % 2 === 0),
      { price, deterministic: true },
    )
    await b.serve(
      parity((n) => n % 2 !== 0),
      { price, deterministic: true },
    )
    const found: SpotCheckResult[] = []
    const checker = await t.agent(9, {
      name: 'checker-3',
      trust: { spotCheck: { rate: 0.05, random: () => 0, onSpotCheck: (r) => found.push(r) } },
    })
    await checker.call(servedA.toolId, { n: 4 })
    await checker.evidence.settled()
    expect(found).toHaveLength(1)
    const check = found[0]!
    expect(check.original.provider).toBe(a.address)
    // Re-asked itself (same answer), then the only other provider disagreed: no tie-break.
    expect({ verdict: check.verdict, wrong: check.wrong, calls: check.calls }).toEqual({
      verdict: 'disputed',
      wrong: [],
      calls: 2,
    })
    expect(check.peers.map((p) => p.provider)).toEqual([b.address])
    expect(check.validations).toEqual([])
    expect(check.feedback).toEqual([])
    expect(await validationSummary(a.identity!.agentId, checker.address)).toEqual([0n, 0])
    expect(await validationSummary(b.identity!.agentId, checker.address)).toEqual([0n, 0])
    expect(checker.trustStats()).toEqual({
      deterministicCalls: 1,
      deterministicSpent: price,
      spotChecks: 1,
      rebought: 2,
      reboughtSpent: 2n * price,
      mismatches: 0,
    })
  })

  test('a provider whose second answer to one request differs is slashed from the spot check’s re-ask, and recorded 0', async () => {
    let served = 0
    const liar = await provider(5, () => (served++ === 0 ? 7 : 70))
    await liar.agent.stake('100', { toolId: liar.served.toolId })
    const outcomes: EquivocationOutcome[] = []
    const found: SpotCheckResult[] = []
    const checker = await t.agent(6, {
      name: 'checker-2',
      trust: {
        onEquivocation: (o) => outcomes.push(o),
        spotCheck: { rate: 0.05, random: () => 0, onSpotCheck: (r) => found.push(r) },
      },
    })
    const answer = await checker.call(liar.served.toolId, { sku: 'C-3' })
    expect(answer.output).toEqual({ sku: 'C-3', units: 7 })
    await checker.evidence.settled()

    const [check] = found
    expect(check?.verdict).toBe('equivocated')
    expect(check?.wrong).toEqual([liar.agent.address])
    // The re-ask was under the same agreement: one request, two answers, both signed.
    expect(check?.reasked?.receipt.receipt.requestHash).toBe(
      check?.original.receipt.receipt.requestHash,
    )
    expect(outcomes.map((o) => o.reported)).toEqual([true])
    const outcome = outcomes[0]!
    expect(outcome.reported && outcome.result).toMatchObject({
      provider: liar.agent.address,
      consumer: checker.address,
      slashed: gusd(100),
      reward: gusd(50),
    })
    expect(await validationSummary(liar.agentId, checker.address)).toEqual([1n, 0])
    // Only the re-ask was bought: an answer given two ways needs no other provider's.
    expect(check?.peers).toEqual([])
    expect(checker.trustStats()).toMatchObject({
      spotChecks: 1,
      rebought: 1,
      reboughtSpent: price,
      mismatches: 1,
    })
  })
})
