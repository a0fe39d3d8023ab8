import { type CallResult, defineTool, type EquivocationOutcome } from '@gotong/agent'
import { providerStakeAbi } from '@gotong/contracts'
import { getProviderStake } from '@gotong/directory'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { codeOf, type Setup, setup } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

const gusd = (units: number) => BigInt(units) * 1_000_000n
const price = 1_000n

/**
 * A tool that promises determinism (a stock level per SKU) and breaks the promise: its second
 * answer to a request differs from its first.
 */
function lyingStockTool(name: string) {
  let served = 0
  return defineTool({
    name,
    description: 'Stock level of a SKU (deterministic, it says).',
    tags: ['stock'],
    input: z.object({ sku: z.string() }),
    output: z.object({ sku: z.string(), units: z.number().int() }),
    handler: ({ sku }) => ({ sku, units: served++ === 0 ? 7 : 70 }),
  })
}

/** The signed receipt of a call paid through a channel (these tests' calls all are). */
function receiptOf(result: CallResult) {
  if (result.rail !== 'channel') throw new Error(`paid over ${result.rail}`)
  return result.receipt.receipt
}

const stakeContract = () => t.contracts.providerStake!
const totals = () =>
  t.devnet.publicClient.readContract({
    address: stakeContract(),
    abi: providerStakeAbi,
    functionName: 'totals',
  })

describe('provable equivocation', () => {
  test('a provider that answers one deterministic request two ways is slashed from the consumer’s own evidence, and the consumer is paid', async () => {
    const provider = await t.agent(1)
    const served = await provider.serve(lyingStockTool('stock-level'), {
      price,
      deterministic: true,
    })
    await provider.stake('300', { toolId: served.toolId })
    await provider.stake('200')
    const stakeAt = stakeContract()
    expect(
      await getProviderStake(t.devnet.publicClient, {
        address: stakeAt,
        provider: provider.address,
        toolId: served.toolId,
        manifestHash: served.manifestHash,
      }),
    ).toEqual({ stake: gusd(500), declaredDeterministic: true })

    const outcomes: EquivocationOutcome[] = []
    const consumer = await t.agent(2, {
      trust: { minStake: '500', onEquivocation: (o) => outcomes.push(o) },
    })
    const first = await consumer.call(served.toolId, { sku: 'A-1' })
    expect(first.output).toEqual({ sku: 'A-1', units: 7 })
    // The channel is funded by the first call; the second moves no tokens until the report.
    const before = await t.balance(consumer.address)
    const stakeHeldBefore = await t.balance(stakeAt)
    const second = await consumer.call(served.toolId, { sku: 'A-1' })
    expect(second.output).toEqual({ sku: 'A-1', units: 70 })

    await consumer.evidence.settled()
    expect(outcomes.map((o) => o.reported)).toEqual([true])
    const outcome = outcomes[0]!
    if (!outcome.reported) return
    expect(outcome.result).toMatchObject({
      provider: provider.address,
      consumer: consumer.address,
      slashed: gusd(500),
      reward: gusd(250),
    })
    // Balances as the chain has them: the consumer got half, the rest stays locked.
    expect((await t.balance(consumer.address)) - before).toBe(gusd(250))
    expect(stakeHeldBefore - (await t.balance(stakeAt))).toBe(gusd(250))
    const [held, slashed, rewarded, locked] = await totals()
    expect({ slashed, rewarded, locked }).toEqual({
      slashed: gusd(500),
      rewarded: gusd(250),
      locked: gusd(250),
    })
    expect(await t.balance(stakeAt)).toBe(held + locked)
    expect(
      (
        await getProviderStake(t.devnet.publicClient, {
          address: stakeAt,
          provider: provider.address,
          toolId: served.toolId,
        })
      ).stake,
    ).toBe(0n)

    // The evidence: the two receipts of one request, signed by the provider.
    const requestHash = receiptOf(first).requestHash
    expect(receiptOf(second).requestHash).toBe(requestHash)
    expect(consumer.evidence.byRequest(requestHash).map((e) => e.receipt.receipt.calls)).toEqual([
      1n,
      2n,
    ])
    // The same lie is slashed once.
    expect(
      await codeOf(consumer.reportEquivocation(outcome.equivocation).then(() => undefined)),
    ).toBe('EQUIVOCATION_REFUSED')
    await expect(consumer.reportEquivocation(outcome.equivocation)).rejects.toMatchObject({
      data: { reason: 'AlreadySlashed' },
    })
    // With its stake gone, a consumer requiring stake no longer agrees with it.
    const careful = await t.agent(3, { trust: { minStake: '1' } })
    expect(await codeOf(careful.call(served.toolId, { sku: 'A-1' }))).toBe('STAKE_TOO_LOW')
    // Nor pays it one x402 transfer for a one-off call.
    const before402 = await t.balance(careful.address)
    expect(await codeOf(careful.call(served.toolId, { sku: 'A-1' }, { expectedCalls: 1 }))).toBe(
      'STAKE_TOO_LOW',
    )
    expect(await t.balance(careful.address)).toBe(before402)
  })

  test('an honest deterministic provider answering a request twice is not reported', async () => {
    const provider = await t.agent(4)
    const honest = defineTool({
      name: 'stock-level-honest',
      description: 'Stock level of a SKU, always the same.',
      input: z.object({ sku: z.string() }),
      output: z.object({ units: z.number().int() }),
      handler: () => ({ units: 7 }),
    })
    const served = await provider.serve(honest, { price, deterministic: true })
    await provider.stake('100', { toolId: served.toolId })
    const outcomes: EquivocationOutcome[] = []
    const consumer = await t.agent(5, { trust: { onEquivocation: (o) => outcomes.push(o) } })
    const a = await consumer.call(served.toolId, { sku: 'B-2' })
    const b = await consumer.call(served.toolId, { sku: 'B-2' })
    await consumer.evidence.settled()
    expect(receiptOf(b).requestHash).toBe(receiptOf(a).requestHash)
    expect(receiptOf(b).responseHash).toBe(receiptOf(a).responseHash)
    // One receipt per distinct answer is kept: the second adds nothing.
    expect(consumer.evidence.byRequest(receiptOf(a).requestHash)).toHaveLength(1)
    expect(outcomes).toEqual([])
    expect(
      (
        await getProviderStake(t.devnet.publicClient, {
          address: stakeContract(),
          provider: provider.address,
          toolId: served.toolId,
        })
      ).stake,
    ).toBe(gusd(100))
  })

  test('stake asked back is paid out only after the delay', async () => {
    const provider = await t.agent(1)
    await provider.stake('40')
    const before = await t.balance(provider.address)
    const { unlockAt } = await provider.unstake('40')
    await expect(provider.withdrawStake()).rejects.toMatchObject({
      code: 'STAKE_REFUSED',
      data: { reason: 'WithdrawalLocked' },
    })
    expect(await t.balance(provider.address)).toBe(before)
    const block = await t.devnet.publicClient.getBlock()
    await t.testClient.increaseTime({ seconds: Number(unlockAt - block.timestamp) })
    await t.testClient.mine({ blocks: 1 })
    expect((await provider.withdrawStake()).withdrawn).toBe(gusd(40))
    expect((await t.balance(provider.address)) - before).toBe(gusd(40))
  })
})
