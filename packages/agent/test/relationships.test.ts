import { appendFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createBudget } from '@gotong/payments'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { type ConsumerEvent, defineTool } from '../src/index.js'
import { channelReceipt, type Setup, setup, wordStats } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup({ accounts: 9 })
})
afterAll(async () => {
  await t?.stop()
})

const opened = (events: ConsumerEvent[]) => events.filter((e) => e.type === 'channel').length

describe('a consumer agent restarted on the same store', () => {
  test('pays through the channel it funded before: no new negotiation, no new deposit', async () => {
    const provider = await t.agent(1)
    const served = await provider.serve(wordStats, { price: '0.002' })
    const store = join(t.dir, 'returning-consumer')
    const events: ConsumerEvent[] = []
    const first = await t.agent(2, { store, onEvent: (e) => events.push(e) })
    const one = await first.call(served.toolId, { text: 'first process' })
    await first.stop()
    const balance = await t.balance(first.address)

    const again: ConsumerEvent[] = []
    const second = await t.agent(2, { store, onEvent: (e) => again.push(e) })
    const two = await second.call(served.toolId, { text: 'second process' })
    expect(opened(events)).toBe(1)
    expect(opened(again)).toBe(0)
    expect(again.some((e) => e.type === 'negotiation')).toBe(false)
    expect(channelReceipt(two).channelId).toBe(channelReceipt(one).channelId)
    expect(channelReceipt(two).calls).toBe(2n)
    expect(await t.balance(second.address)).toBe(balance) // no deposit left the wallet

    // The provider is paid for both calls through the one channel.
    const claim = await provider.settler.claim(channelReceipt(one).channelId)
    expect(claim?.amount).toBe(2n * 2_000n)
    await second.stop()
  })

  test('agrees anew, on the channel it has, when the provider no longer knows the saved agreement', async () => {
    const provider = await t.agent(3)
    const served = await provider.serve(wordStats, { price: '0.002' })
    const store = join(t.dir, 'forgotten-consumer')
    const first = await t.agent(4, { store })
    const one = await first.call(served.toolId, { text: 'first process' })
    await first.stop()
    // The saved line now names terms the provider never agreed to.
    const file = join(store, 'relationships.jsonl')
    const saved = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!)
    saved.agreement.termsHash = `0x${'ab'.repeat(32)}`
    appendFileSync(file, `${JSON.stringify(saved)}\n`)

    const events: ConsumerEvent[] = []
    const second = await t.agent(4, { store, onEvent: (e) => events.push(e) })
    const two = await second.call(served.toolId, { text: 'second process' })
    // The new agreement binds to the channel the first process opened: it has room.
    expect(opened(events)).toBe(0)
    expect(events.some((e) => e.type === 'negotiation')).toBe(true)
    expect(channelReceipt(two).channelId).toBe(channelReceipt(one).channelId)
    expect(channelReceipt(two).termsHash).not.toBe(channelReceipt(one).termsHash)
    // The refused voucher charged nothing: its number (2) pays for the call under the new terms.
    expect(channelReceipt(two)).toMatchObject({ calls: 2n, cumulativeAmount: 2n * 2_000n })
    const old = second.ledger().paid.filter((v) => v.channelId === channelReceipt(one).channelId)
    expect(old.map((v) => v.status)).toEqual(['served', 'served'])
    await second.stop()
  })

  test('a voucher left unanswered by the earlier process, whose call was served: its receipt is kept and the next call pays with a new voucher', async () => {
    const provider = await t.agent(5)
    let runs = 0
    const counted = defineTool({
      name: 'counted-words',
      description: 'Counts words, and how often it ran.',
      input: z.object({ text: z.string() }),
      output: z.object({ words: z.number() }),
      handler: ({ text }) => {
        runs++
        return { words: text.split(' ').length }
      },
    })
    const served = await provider.serve(counted, { price: '0.002' })
    const store = join(t.dir, 'lost-reply-consumer')
    let loseReply = false
    // The reply to the second call is lost on its way back, as when the process dies then.
    const lossy = (async (input: string | URL | Request, init?: RequestInit) => {
      const response = await globalThis.fetch(input, init)
      if (loseReply && String(input).endsWith('/call')) throw new TypeError('network lost')
      return response
    }) as typeof fetch
    const first = await t.agent(6, { store, fetch: lossy })
    await first.call(served.toolId, { text: 'one' })
    loseReply = true
    await expect(first.call(served.toolId, { text: 'two' })).rejects.toMatchObject({
      code: 'TOOL_UNAVAILABLE',
    })
    await first.stop()
    expect(runs).toBe(2)

    const second = await t.agent(6, { store })
    const three = await second.call(served.toolId, { text: 'three' })
    expect(channelReceipt(three).calls).toBe(3n)
    expect(runs).toBe(3)
    expect(second.ledger().paid.map((v) => [v.calls, v.status])).toEqual([
      [1n, 'served'],
      [2n, 'served'],
      [3n, 'served'],
    ])
    const claim = await provider.settler.claim(channelReceipt(three).channelId)
    expect(claim?.amount).toBe(3n * 2_000n)
    await second.stop()
  })

  test('a corrupt line is skipped: the agent negotiates instead of failing', async () => {
    const provider = await t.agent(7)
    const served = await provider.serve(wordStats, { price: '0.002' })
    const store = join(t.dir, 'corrupt-consumer')
    const first = await t.agent(8, { store })
    await first.call(served.toolId, { text: 'first process' })
    await first.stop()
    appendFileSync(join(store, 'relationships.jsonl'), '{"toolId":"1","provider":')
    const second = await t.agent(8, { store })
    const result = await second.call(served.toolId, { text: 'second process' })
    expect(channelReceipt(result).calls).toBe(2n) // the last good line still counts
    await second.stop()
  })

  test('a channel is funded for no more calls than the budget can pay for', async () => {
    const provider = await t.agent(7)
    const served = await provider.serve(wordStats, { price: '0.002' })
    const consumer = await t.agent(8, {
      store: join(t.dir, 'budgeted-consumer'),
      budget: createBudget('consumer', { max: 25n * 2_000n + 1_999n }),
    })
    const before = await t.balance(consumer.address)
    const result = await consumer.call(served.toolId, { text: 'budgeted' })
    // 100 calls by default; the budget allows 25 whole calls, so 25 are locked, not 100.
    expect(await t.balance(consumer.address)).toBe(before - 25n * 2_000n)
    expect(consumer.payer.getChannel(channelReceipt(result).channelId)?.deposit).toBe(25n * 2_000n)
    await consumer.stop()
  })
})
