import { createClients } from '@gotong/chain'
import { gotongDomain, receiptTypes } from '@gotong/core'
import { giveReceiptFeedback } from '@gotong/identity'
import { type Address, type Hex, zeroAddress, zeroHash } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { type Agent, defineTool, type FeedbackResult } from '../src/index.js'
import { reputationAbi } from './erc8004SpecClient.js'
import { type Setup, setup, wordStats } from './fixture.js'

let t: Setup
let contracts: NonNullable<Setup['devnet']['deployments']>['contracts']
beforeAll(async () => {
  t = await setup({ accounts: 10 })
  contracts = t.devnet.deployments!.contracts
})
afterAll(async () => {
  await t?.stop()
})

const flaky = defineTool({
  name: 'flaky',
  description: 'Echoes a text, and fails on "boom".',
  tags: ['text'],
  input: z.object({ text: z.string() }),
  output: z.object({ text: z.string() }),
  handler: ({ text }) => {
    if (text === 'boom') throw new Error('boom')
    return { text }
  },
})

/** The ERC-8004 summary over the gateway alone: the paid calls' feedback. */
const paidSummary = (agentId: bigint, clients: Address[] = [contracts.receiptFeedbackGateway!]) =>
  t.devnet.publicClient.readContract({
    address: contracts.reputationRegistry!,
    abi: reputationAbi,
    functionName: 'getSummary',
    args: [agentId, clients, '', ''],
  })

const walletOf = (index: number) =>
  createClients({
    rpcUrl: t.devnet.rpcUrl,
    chainId: t.devnet.chainId,
    privateKey: t.devnet.accounts[index]!.privateKey,
  }).walletClient!

const given = (results: FeedbackResult[]) => results.flatMap((r) => (r.given ? [r] : []))

function channelOf(result: Awaited<ReturnType<Agent['call']>>) {
  if (result.rail !== 'channel') throw new Error(`paid over ${result.rail}`)
  return result.receipt
}

describe('feedback only a paying client can give', () => {
  test('accepted once per receipt; refused without one, with another agent’s, reused, forged, or above the funds', async () => {
    const stats = await t.agent(1, { name: 'stats' })
    const echo = await t.agent(3, { name: 'echo' })
    const consumer = await t.agent(2, { name: 'consumer' })
    const statsTool = await stats.serve(wordStats, { price: 2_000n })
    const echoTool = await echo.serve(flaky, { price: 1_000n })
    const statsId = stats.identity!.agentId
    const echoId = echo.identity!.agentId
    const receipts = []
    for (const text of ['one', 'two', 'three'])
      receipts.push(channelOf(await consumer.call(statsTool.toolId, { text })))
    const echoReceipt = channelOf(await consumer.call(echoTool.toolId, { text: 'hi' }))
    const channelId = receipts[0]!.receipt.channelId

    // Accepted: one feedback for the channel, standing for the three calls' money.
    const [first] = await consumer.giveFeedback({ channelId })
    expect(first).toMatchObject({
      given: true,
      agentId: statsId,
      toolId: statsTool.toolId,
      value: 100,
      amount: 6_000n,
      calls: 3,
    })
    expect(await paidSummary(statsId)).toEqual([1n, 100n, 0])

    const refusal = (options: Parameters<Agent['giveFeedback']>[0]) =>
      consumer.giveFeedback(options).then(
        () => 'given',
        (e: { code?: string; reason?: string }) => e.reason ?? e.code,
      )
    // Nothing paid since: the agent does not ask; asked to, the gateway refuses the reuse.
    expect(await refusal({ channelId })).toBe('FEEDBACK_NO_RECEIPT')
    expect(await refusal({ receipt: receipts[2]! })).toBe('ReceiptAlreadyCounted')
    expect(await refusal({ receipt: receipts[0]! })).toBe('ReceiptAlreadyCounted')
    // Another agent's receipt for stats: not signed by stats' wallet.
    expect(await refusal({ receipt: echoReceipt, agentId: statsId })).toBe(
      'InvalidReceiptSignature',
    )
    // A forged receipt: the amount raised after signing, or signed by the consumer itself.
    const newer = channelOf(await consumer.call(statsTool.toolId, { text: 'four' }))
    const raised = { ...newer, receipt: { ...newer.receipt, cumulativeAmount: 7_000n } }
    expect(await refusal({ receipt: raised })).toBe('InvalidReceiptSignature')
    const own = privateKeyToAccount(t.devnet.accounts[2]!.privateKey as Hex)
    const domain = gotongDomain({ chainId: 31337, verifyingContract: contracts.paymentChannels })
    const selfSigned = {
      receipt: newer.receipt,
      signature: await own.signTypedData({
        domain,
        types: receiptTypes,
        primaryType: 'Receipt',
        message: newer.receipt,
      }),
    }
    expect(await refusal({ receipt: selfSigned })).toBe('InvalidReceiptSignature')
    // Signed by stats but above what the channel holds (20 calls' deposit by default: 200,000).
    const inflated = { ...newer.receipt, calls: 500n, cumulativeAmount: 1_000_000n }
    const statsKey = privateKeyToAccount(t.devnet.accounts[1]!.privateKey as Hex)
    expect(
      await refusal({
        receipt: {
          receipt: inflated,
          signature: await statsKey.signTypedData({
            domain,
            types: receiptTypes,
            primaryType: 'Receipt',
            message: inflated,
          }),
        },
      }),
    ).toBe('ReceiptExceedsChannel')
    // Without any receipt: an agent this consumer never paid, and the gateway with none at all.
    const stranger = await t.agent(4, { name: 'stranger' })
    await stranger.register()
    expect(await refusal({ agentId: stranger.identity!.agentId })).toBe('FEEDBACK_NO_RECEIPT')
    const channel = consumer.payer.getChannel(channelId)!
    const [second] = await consumer.giveFeedback({ channelId })
    expect(second).toMatchObject({ given: true, amount: 2_000n, calls: 1 })
    await expect(
      giveReceiptFeedback(walletOf(2), {
        gateway: contracts.receiptFeedbackGateway!,
        agentId: statsId,
        feedback: { value: 100n },
        key: channel.key,
        agreement: emptyAgreement,
        receipt: {
          receipt: { ...newer.receipt, cumulativeAmount: 0n, calls: 0n },
          signature: '0x',
        },
      }),
    ).rejects.toMatchObject({ code: 'FEEDBACK_REFUSED', reason: 'InvalidReceiptSignature' })

    // The summary over the gateway counts exactly the two paid feedbacks; a client's direct
    // feedback to the registry is not in it.
    const direct = walletOf(2)
    const hash = await direct.writeContract({
      address: contracts.reputationRegistry!,
      abi: reputationAbi,
      functionName: 'giveFeedback',
      args: [statsId, 0n, 0, 'starred', '', '', '', zeroHash],
      account: direct.account!,
      chain: direct.chain,
    })
    await t.devnet.publicClient.waitForTransactionReceipt({ hash })
    expect(await paidSummary(statsId)).toEqual([2n, 100n, 0])
    expect(await paidSummary(statsId, [consumer.address])).toEqual([1n, 0n, 0])
    expect(await paidSummary(echoId)).toEqual([0n, 0n, 0])
  })

  test('the policy rates full batches by itself, lower for calls the provider failed', async () => {
    const provider = await t.agent(5, { name: 'flaky' })
    const tool = await provider.serve(flaky, {
      price: 1_000n,
      sla: { p95LatencyMs: 60_000, callsPerMinute: 600 },
    })
    const rated: FeedbackResult[] = []
    let batches!: () => void
    const twoBatches = new Promise<void>((resolve) => {
      batches = resolve
    })
    const consumer = await t.agent(6, {
      name: 'rater',
      feedback: {
        batch: 3,
        onFeedback: (result) => {
          rated.push(result)
          if (rated.length === 2) batches()
        },
      },
    })
    // Batch 1: served, failed by the provider (not charged), served: (100 + 0 + 100) / 3.
    for (const text of ['a', 'boom', 'b'])
      await consumer.call(tool.toolId, { text }).catch(() => undefined)
    // Batch 2: three served calls.
    for (const text of ['c', 'd', 'e']) await consumer.call(tool.toolId, { text })
    await twoBatches
    expect(rated.map((r) => r.given && [r.value, r.calls, r.amount])).toEqual([
      [67, 3, 2_000n],
      [100, 3, 3_000n],
    ])
    // One call left over: given on demand (before a close), then nothing is left to rate.
    await consumer.call(tool.toolId, { text: 'f' })
    const flushed = given(await consumer.giveFeedback())
    expect(flushed.map((r) => [r.value, r.calls, r.amount])).toEqual([[100, 1, 1_000n]])
    expect(given(await consumer.giveFeedback())).toEqual([])
    expect(await paidSummary(provider.identity!.agentId)).toEqual([3n, 89n, 0])

    expect(rated).toHaveLength(2)
  })

  test('reputation scoring (off by default) picks a trusted provider over a cheaper one', async () => {
    const tagged = defineTool({ ...wordStats, name: 'counting', tags: ['counting'] })
    const cheap = await t.agent(7, { name: 'cheap' })
    const trusted = await t.agent(8, { name: 'trusted' })
    const cheapTool = await cheap.serve(tagged, { price: 1_000n })
    const trustedTool = await trusted.serve(tagged, { price: 1_500n })
    // A paying client rated both: the cheap one badly.
    const rater = await t.agent(9, { name: 'rater' })
    await rater.call(cheapTool.toolId, { text: 'x' })
    await rater.call(trustedTool.toolId, { text: 'x' })
    for (const [provider, value] of [
      [cheap, 10],
      [trusted, 100],
    ] as const) {
      const { channelId } = rater
        .ledger()
        .paid.find((v) => rater.payer.getChannel(v.channelId)?.key.payee === provider.address)!
      expect(given(await rater.giveFeedback({ channelId, value }))).toHaveLength(1)
    }
    const byPrice = await (await t.agent(6, { name: 'price-only' })).negotiate('counting')
    expect(byPrice.provider).toBe(cheap.address)
    const weighing = await t.agent(5, { name: 'weighing', reputation: { weight: 0.8 } })
    const chosen = await weighing.negotiate('counting')
    expect(chosen.provider).toBe(trusted.address)
  })
})

const emptyAgreement = {
  consumer: zeroAddress,
  provider: zeroAddress,
  registry: zeroAddress,
  toolId: 0n,
  manifestHash: zeroHash,
  token: zeroAddress,
  pricePerCall: 0n,
  maxCalls: 0n,
  validUntil: 0n,
  p95LatencyMs: 0,
  callsPerMinute: 0,
  nonce: zeroHash,
}
