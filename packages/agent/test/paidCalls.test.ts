import { exportLedger } from '@gotong/payments'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ConsumerEvent } from '../src/index.js'
import { channelReceipt, type Setup, setup, wordStats } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

type Row = { status: string; amount: string; receiptSignature: string; requestHash: string }

describe('two agents over loopback HTTP', () => {
  test('publish → discover → negotiate → 50 paid calls → receipts → claim; chain matches both ledgers', async () => {
    const provider = await t.agent(1, { name: 'provider' })
    const events: ConsumerEvent[] = []
    const consumer = await t.agent(2, {
      name: 'consumer',
      callsPerChannel: 60n,
      onEvent: (e) => events.push(e),
    })
    const served = await provider.serve(wordStats, { price: '0.002' })
    expect(served.ref).toMatch(/^eip155:31337\/erc8257:0x[0-9a-f]{40}\/1$/)
    const [providerStart, consumerStart] = await Promise.all([
      t.balance(provider.address),
      t.balance(consumer.address),
    ])

    const [tool] = await consumer.toolkit({ query: 'words' })
    expect(tool?.name).toBe(`word-stats_${served.toolId}`)
    for (let i = 0; i < 50; i++) {
      const text = `call number ${i} of fifty`
      const result = await consumer.call(served.toolId, { text })
      expect(result.output).toEqual({ words: 5, characters: text.length, longest: 'number' })
      expect(channelReceipt(result).calls).toBe(BigInt(i + 1))
    }
    const states = events.flatMap((e) => (e.type === 'negotiation' ? [e.state] : []))
    expect(states[0]).toBe('soliciting')
    expect(states).toContain('funding')
    expect(events.filter((e) => e.type === 'channel')).toHaveLength(1)
    expect(events.filter((e) => e.type === 'call' && e.ok)).toHaveLength(50)
    // The deposit (60 calls' worth) left the consumer's wallet when the channel opened.
    expect(await t.balance(consumer.address)).toBe(consumerStart - 60n * 2_000n)

    const paid: Row[] = JSON.parse(exportLedger(consumer.ledger().paid, { format: 'json' }))
    const earned: Row[] = JSON.parse(exportLedger(provider.ledger().earned, { format: 'json' }))
    expect(paid).toHaveLength(50)
    expect(earned).toHaveLength(50)
    expect(paid.every((r) => r.status === 'served' && r.receiptSignature.length === 132)).toBe(true)
    expect(earned.every((r) => r.status === 'committed')).toBe(true)
    expect(paid.map((r) => r.requestHash)).toEqual(earned.map((r) => r.requestHash))

    const channelId = consumer.ledger().paid[0]!.channelId
    const claim = await provider.settler.claim(channelId)
    const sum = (rows: Row[]) => rows.reduce((s, r) => s + BigInt(r.amount), 0n)
    expect(claim?.amount).toBe(sum(paid))
    expect(sum(earned)).toBe(sum(paid))
    expect(await t.balance(provider.address)).toBe(providerStart + sum(earned))
    expect(sum(paid)).toBe(50n * 2_000n)
  })
})
