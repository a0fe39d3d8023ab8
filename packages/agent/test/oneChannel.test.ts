import { join } from 'node:path'
import { paymentChannelsAbi } from '@gotong/contracts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { type ConsumerEvent, defineTool } from '../src/index.js'
import { channelReceipt, type Setup, setup, wordStats } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

const shout = defineTool({
  name: 'shout',
  description: 'Says a text in capitals.',
  tags: ['text'],
  input: z.object({ text: z.string().max(1_000) }),
  output: z.object({ text: z.string() }),
  handler: ({ text }) => ({ text: text.toUpperCase() }),
})

describe('one channel per consumer–provider pair', () => {
  test('two tools of one provider: one channel opened on chain, each agreement priced and capped on its own, a renewed agreement on the same channel, and the chain pays what both ledgers say', async () => {
    const provider = await t.agent(1, { name: 'provider' })
    const store = join(t.dir, 'one-channel-consumer')
    const events: ConsumerEvent[] = []
    const consumer = await t.agent(2, {
      name: 'consumer',
      store,
      callsPerChannel: 20n,
      onEvent: (e) => events.push(e),
    })
    const stats = await provider.serve(wordStats, { price: '0.002' })
    // Two calls per agreement, then the consumer must agree again.
    const loud = await provider.serve(shout, { price: '0.0005', quota: { callsPerChannel: 2 } })
    const from = await t.devnet.publicClient.getBlockNumber()
    const start = await t.balance(provider.address)

    const results = []
    for (let i = 0; i < 3; i++) {
      results.push(await consumer.call(stats.toolId, { text: `stats ${i}` }))
      results.push(await consumer.call(loud.toolId, { text: `loud ${i}` }))
    }
    expect(results[1]!.output).toEqual({ text: 'LOUD 0' })
    const receipts = results.map(channelReceipt)
    const channelIds = new Set(receipts.map((r) => r.channelId))
    expect(channelIds.size).toBe(1)
    const [channelId] = channelIds
    // The calls number the channel's vouchers, whichever agreement each paid under.
    expect(receipts.map((r) => r.calls)).toEqual([1n, 2n, 3n, 4n, 5n, 6n])
    // Three agreements on it: word-stats', shout's, and shout's renewed after its two calls.
    expect(new Set(receipts.map((r) => r.termsHash)).size).toBe(3)
    expect(receipts[5]!.termsHash).not.toBe(receipts[1]!.termsHash)
    expect(receipts[3]!.termsHash).toBe(receipts[1]!.termsHash)
    expect(receipts.map((r) => r.cumulativeAmount)).toEqual([
      2_000n,
      2_500n,
      4_500n,
      5_000n,
      7_000n,
      7_500n,
    ])
    expect((await provider.payee.listBindings(channelId!)).length).toBe(3)

    const openedOnChain = await t.devnet.publicClient.getContractEvents({
      address: t.devnet.deployments!.contracts.paymentChannels,
      abi: paymentChannelsAbi,
      eventName: 'ChannelOpened',
      fromBlock: from + 1n,
    })
    expect(openedOnChain.map((e) => e.args.channelId)).toEqual([channelId])
    expect(events.filter((e) => e.type === 'channel')).toHaveLength(1)

    // A consumer restarted on its store pays both tools through the same channel.
    await consumer.stop()
    const again = await t.agent(2, { store, callsPerChannel: 20n })
    const next = channelReceipt(await again.call(stats.toolId, { text: 'after restart' }))
    expect(next).toMatchObject({ channelId, calls: 7n, cumulativeAmount: 9_500n })

    const paid = again.ledger().paid.filter((v) => v.status === 'served')
    const spent = paid.reduce((s, v) => s + v.amount, 0n)
    const claim = await provider.settler.claim(channelId!)
    expect(claim?.amount).toBe(9_500n)
    expect(spent).toBe(9_500n)
    expect(await t.balance(provider.address)).toBe(start + spent)
  })
})
