import { finalizeChannel, startCloseChannel, topUpChannel } from '@gotong/payments/payer'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { codeOf, countingTool, relationshipOf, type Setup, setup, until } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

const price = 1_000n

describe('one channel under concurrent calls, a top-up and a close', () => {
  test('100 calls, 20 in flight, a top-up after 10 and a close after 80: the accepted sum is exact and nothing adds exposure once the close is seen', async () => {
    const provider = await t.agent(1)
    const counted = countingTool('parallel')
    const served = await provider.serve(counted.tool, { price })
    const consumer = await t.agent(2, { callsPerChannel: 150n })
    await consumer.call(served.toolId, { text: 'opening call' })
    const channel = relationshipOf(consumer)
    expect(channel.deposit).toBe(150n * price)

    let done = 0
    let closedSeenAt: number | undefined
    let highestAtClose = 0n
    const outcomes: string[] = []
    let next = 0
    const worker = async () => {
      while (next < 100) {
        const n = next++
        outcomes[n] = await codeOf(consumer.call(served.toolId, { text: `parallel ${n}` }))
        done++
      }
    }
    const workers = Promise.all(Array.from({ length: 20 }, worker))
    await until(() => done >= 10, { what: '10 calls' })
    await topUpChannel(t.wallet(2), t.devnet.publicClient, {
      channels: t.contracts.paymentChannels,
      key: channel.key,
      amount: 50n * price,
    })
    consumer.payer.updateChannel(channel.channelId, { deposit: 200n * price })
    await until(() => done >= 80, { what: '80 calls' })
    await startCloseChannel(t.wallet(2), t.devnet.publicClient, {
      channels: t.contracts.paymentChannels,
      key: channel.key,
    })
    await until(
      async () => {
        const seen = await provider.payee.getChannel(channel.channelId)
        if (seen?.status === 'closing') {
          closedSeenAt = Date.now()
          highestAtClose = seen.highestCalls
        }
        return closedSeenAt
      },
      { what: 'the provider to see the close' },
    )
    await workers
    // Once the provider has seen the close, nothing adds exposure: the payer's vouchers left
    // below the newest accepted one (calls overtaken and refused meanwhile) are reused, lowest
    // first, and served, since that newer voucher pays for them already; the first voucher
    // above it is refused.
    const late: string[] = []
    for (let i = 0; i < 40 && late.at(-1) !== 'VOUCHER_CHANNEL_CLOSING'; i++)
      late.push(await codeOf(consumer.call(served.toolId, { text: `late ${i}` })))
    expect(late.at(-1)).toBe('VOUCHER_CHANNEL_CLOSING')
    expect(late.slice(0, -1).every((code) => code === 'ok')).toBe(true)
    expect((await provider.payee.getChannel(channel.channelId))?.highestCalls).toBe(highestAtClose)
    expect(outcomes.filter((o) => o !== 'ok' && o !== 'VOUCHER_CHANNEL_CLOSING')).toEqual([])
    expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThanOrEqual(80)

    const paid = consumer.ledger().paid.filter((v) => v.channelId === channel.channelId)
    const earned = provider.ledger().earned.filter((v) => v.channelId === channel.channelId)
    const byCall = (a: { calls: bigint }, b: { calls: bigint }) => (a.calls < b.calls ? -1 : 1)
    const servedCalls = paid.filter((v) => v.status === 'served').sort(byCall)
    const committed = earned.filter((v) => v.status === 'committed').sort(byCall)
    // Exactly the calls the consumer holds receipts for were accepted and run, each once.
    expect(servedCalls.map((v) => [v.calls, v.receipt!.signature])).toEqual(
      committed.map((v) => [v.calls, v.receipt!.signature]),
    )
    expect(servedCalls.length).toBe(
      1 + outcomes.filter((o) => o === 'ok').length + late.filter((o) => o === 'ok').length,
    )
    expect(counted.runs()).toBe(committed.length)
    const sum = (amounts: bigint[]) => amounts.reduce((a, b) => a + b, 0n)
    expect(sum(servedCalls.map((v) => v.amount))).toBe(BigInt(committed.length) * price)
    expect(committed.every((v) => v.acceptedAt <= closedSeenAt! || v.calls < highestAtClose)).toBe(
      true,
    )
    // The provider knows the topped-up deposit, and the chain holds it.
    expect((await provider.payee.getChannel(channel.channelId))?.deposit).toBe(200n * price)
    expect((await t.channel(channel.channelId)).deposit).toBe(200n * price)

    // Settled: the chain pays the newest committed voucher, never more than was deposited.
    await provider.settler.claim(channel.channelId)
    const newest = committed.reduce((m, v) => (v.cumulativeAmount > m ? v.cumulativeAmount : m), 0n)
    expect(await t.paidOut(channel.channelId)).toBe(newest)
    // No call refused below the newest voucher is left unserved: the payer paid for no more
    // calls than it got.
    expect(newest).toBe(sum(servedCalls.map((v) => v.amount)))
    expect(newest).toBeLessThanOrEqual(200n * price)
  })

  test('a consumer keeps calling a tool after its first channel’s calls are used up', async () => {
    const provider = await t.agent(1)
    const counted = countingTool('renewal')
    const served = await provider.serve(counted.tool, { price, minDeposit: price })
    const consumer = await t.agent(4, { callsPerChannel: 3n })
    for (let i = 0; i < 3; i++) await consumer.call(served.toolId, { text: `call ${i}` })
    expect(await codeOf(consumer.call(served.toolId, { text: 'one more' }))).toBe('ok')
    expect(counted.runs()).toBe(4)
  })

  // Each first call negotiates and opens a channel; one wallet's channel transactions must not
  // race (permit and account nonces).
  test('a consumer’s first calls of three tools at the same moment all succeed', async () => {
    const held: (() => void)[] = []
    // Line the three negotiations up: each accept waits until all three are ready to go.
    const lineUp = (async (input: string | URL | Request, init?: RequestInit) => {
      const body = typeof init?.body === 'string' ? init.body : ''
      if (String(input).endsWith('/negotiate') && body.includes('"type":"accept"'))
        await new Promise<void>((resolve) => {
          held.push(resolve)
          if (held.length === 3) for (const go of held) go()
        })
      return globalThis.fetch(input, init)
    }) as typeof fetch
    const consumer = await t.agent(5, { fetch: lineUp })
    const provider = await t.agent(1)
    const toolIds: bigint[] = []
    for (const name of ['first-a', 'first-b', 'first-c'])
      toolIds.push((await provider.serve(countingTool(name).tool, { price })).toolId)
    const outcomes = await Promise.all(
      toolIds.map((toolId) => codeOf(consumer.call(toolId, { text: 'first' }))),
    )
    expect(outcomes).toEqual(['ok', 'ok', 'ok'])
  })

  // Found a bug: vouchers are cumulative, and the payee accepted call n + 1 while call n was
  // still on its way; when it then refused call n because the channel had started closing, the
  // claim of call n + 1 still charged the payer for call n, never served. A voucher below the
  // newest accepted one adds no exposure, so a closing channel now serves it.
  test('a call overtaken by a later one is still served after the channel began closing: every call paid for is served', async () => {
    const holds = new Map<string, () => void>()
    // Hold the one request marked "held" on its way, as a slow network would.
    const slow = (async (input: string | URL | Request, init?: RequestInit) => {
      const body = typeof init?.body === 'string' ? init.body : ''
      const marked = /"hold":"([a-z0-9-]+)"/.exec(body)
      if (marked) await new Promise<void>((resolve) => holds.set(marked[1]!, resolve))
      return globalThis.fetch(input, init)
    }) as typeof fetch
    const consumer = await t.agent(3, { fetch: slow })
    const provider = await t.agent(1)
    const counted = countingTool('overtaken')
    const served = await provider.serve(counted.tool, { price })
    await consumer.call(served.toolId, { text: 'one' })
    const { channelId, key } = relationshipOf(consumer)
    const overtaken = codeOf(consumer.call(served.toolId, { text: 'two', hold: 'call-2' }))
    await until(() => holds.has('call-2'), { what: 'call 2 on its way' })
    await consumer.call(served.toolId, { text: 'three' }) // call 3 overtakes call 2
    await startCloseChannel(t.wallet(3), t.devnet.publicClient, {
      channels: t.contracts.paymentChannels,
      key,
    })
    await until(async () => (await provider.payee.getChannel(channelId))?.status === 'closing')
    holds.get('call-2')!()
    expect(await overtaken).toBe('ok')
    // A call above the newest voucher is still refused: the close stops new exposure.
    expect(await codeOf(consumer.call(served.toolId, { text: 'four' }))).toBe(
      'VOUCHER_CHANNEL_CLOSING',
    )
    await provider.settler.claim(channelId)
    await t.elapse(3_601)
    await finalizeChannel(t.wallet(3), t.devnet.publicClient, {
      channels: t.contracts.paymentChannels,
      key,
    })
    const servedCalls = consumer.ledger().paid.filter((v) => v.status === 'served')
    expect(servedCalls).toHaveLength(3)
    expect(counted.runs()).toBe(3)
    expect(await t.paidOut(channelId)).toBe(3n * price)
  })
})
