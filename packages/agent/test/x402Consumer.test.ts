import { contentHash } from '@gotong/core'
import { exportLedger } from '@gotong/payments'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import type { Agent, CallResult, ConsumerEvent, ServedTool } from '../src/index.js'
import { type Setup, setup, wordStats } from './fixture.js'

const price = 2_000n // 0.002 gUSD
let t: Setup
let provider: Agent
let served: ServedTool
beforeAll(async () => {
  t = await setup({ accounts: 7 })
  provider = await t.agent(1, { name: 'provider' })
  served = await provider.serve(wordStats, { price: '0.002' })
}, 60_000)
afterAll(async () => {
  await t?.stop()
})

const text = { text: 'many hands make light work' }
const words = { words: 5, characters: 26, longest: 'hands' }
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string }) => error.code,
  )
/** Narrows a result to the x402 rail, failing the test otherwise. */
function x402Of(result: CallResult) {
  if (result.rail !== 'x402') throw new Error(`paid through a ${result.rail}`)
  return result
}

describe('a listing offering a channel and x402: the rail policy chooses', () => {
  test('a one-off call pays with x402: one transfer of the price, a verified receipt, no channel', async () => {
    const events: ConsumerEvent[] = []
    const consumer = await t.agent(2, { onEvent: (e) => events.push(e) })
    const [before, providerBefore] = [
      await t.balance(consumer.address),
      await t.balance(provider.address),
    ]
    const result = x402Of(await consumer.call(served.toolId, text, { expectedCalls: 1 }))
    expect(result.output).toEqual(words)
    expect(result.railReason).toBe(
      '1 expected call < 3: one x402 transfer per call costs less than opening and closing a channel',
    )
    expect(await t.balance(consumer.address)).toBe(before - price)
    expect(await t.balance(provider.address)).toBe(providerBefore + price)
    expect(result.receipt?.receipt).toMatchObject({
      payer: consumer.address,
      amount: price,
      responseHash: contentHash(words),
      transaction: result.payment!.transaction,
    })
    const [paid] = consumer.ledger().x402.paid
    expect(paid).toMatchObject({
      status: 'settled',
      amount: price,
      payee: provider.address.toLowerCase(),
      tool: 'word-stats',
      transaction: result.payment!.transaction,
      receipt: result.receipt,
    })
    const onChain = await t.devnet.publicClient.getTransactionReceipt({ hash: paid!.transaction! })
    expect(onChain.status).toBe('success')
    expect(consumer.ledger().paid).toEqual([]) // no voucher: no channel
    const { paid: vouchers, x402 } = consumer.ledger()
    expect(JSON.parse(exportLedger(vouchers, { format: 'json', x402: x402.paid }))).toEqual([
      expect.objectContaining({
        scheme: 'x402',
        amount: price.toString(),
        status: 'settled',
        authorizationNonce: paid!.authorizationNonce,
        transaction: paid!.transaction,
        responseHash: contentHash(words),
        receiptSignature: result.receipt!.signature,
      }),
    ])
    expect(events.map((e) => [e.type, e.type === 'call' ? e.rail : ''])).toEqual([['call', 'x402']])
    // The live view is told which rail and why.
    expect(consumer.events.recent().filter((e) => e.type === 'call.paid')).toEqual([
      expect.objectContaining({ rail: 'x402', railReason: result.railReason }),
    ])
  })

  test('a consumer expecting three calls or more negotiates a channel, and keeps it', async () => {
    const events: ConsumerEvent[] = []
    const consumer = await t.agent(3, { onEvent: (e) => events.push(e) })
    const [tool] = await consumer.toolkit({ toolIds: [served.toolId], expectedCalls: 3 })
    for (let i = 0; i < 3; i++)
      expect(JSON.parse(await tool!.invoke(text))).toEqual({ result: words })
    expect(events.filter((e) => e.type === 'channel')).toHaveLength(1)
    expect(consumer.ledger().paid.map((v) => v.status)).toEqual(['served', 'served', 'served'])
    expect(consumer.ledger().x402.paid).toEqual([])
    const calls = events.flatMap((e) => (e.type === 'call' ? [[e.rail, e.railReason]] : []))
    expect(calls[0]).toEqual([
      'channel',
      "3 expected calls ≥ 3: a channel's one-time setup is paid back by calls without a transaction each",
    ])
    // The channel is open now: even a one-off call goes through it.
    const later = await consumer.call(served.toolId, text, { expectedCalls: 1 })
    expect([later.rail, later.railReason]).toEqual([
      'channel',
      'a funded channel to this tool is already open',
    ])
  })

  test('without an expected number of calls, a call keeps to channels', async () => {
    const consumer = await t.agent(4)
    const result = await consumer.call(served.toolId, text)
    expect(result.rail).toBe('channel')
    expect(result.railReason).toMatch(/^no expected number of calls was given/)
  })

  test('x402 calls are held by the budgets: a budget of one call refuses the second, nothing signed', async () => {
    const consumer = await t.agent(5, { budget: '0.003', rail: { expectedCalls: 1 } })
    expect(await codeOf(consumer.call(served.toolId, text))).toBe('ok')
    const before = await t.balance(consumer.address)
    expect(await codeOf(consumer.call(served.toolId, text))).toBe('BUDGET_EXCEEDED')
    expect(await t.balance(consumer.address)).toBe(before)
    expect(consumer.ledger().x402.paid.map((p) => p.status)).toEqual(['settled'])
    // A maxPrice below the listed price refuses before anything else.
    expect(await codeOf(consumer.call(served.toolId, text, { maxPrice: price - 1n }))).toBe(
      'PRICE_TOO_HIGH',
    )
  })

  test("the provider's refusal comes back with its code; nothing is settled", async () => {
    const consumer = await t.agent(6, { rail: { expectedCalls: 1 } })
    const before = await t.balance(consumer.address)
    expect(await codeOf(consumer.call(served.toolId, { text: 42 }))).toBe('INPUT_INVALID')
    expect(await t.balance(consumer.address)).toBe(before)
    expect(consumer.ledger().x402.paid.map((p) => p.status)).toEqual(['failed'])
  })
})

describe('any x402 URL as a tool', () => {
  const input = z.object({ text: z.string() })
  const output = z.object({ words: z.number(), characters: z.number(), longest: z.string() })

  test('pay() returns the typed output and the payment; as a LangChain tool it answers JSON', async () => {
    const consumer = await t.agent(2)
    const tool = await consumer.x402Tool(served.x402Url!, {
      input,
      output,
      maxPrice: '0.002',
      budget: '0.003',
      description: 'Counts words.',
    })
    const before = await t.balance(consumer.address)
    const paid = await tool.pay(text)
    expect(paid.output).toEqual(words)
    expect([paid.rail, paid.payment?.status, paid.price]).toEqual(['x402', 'settled', price])
    expect(await t.balance(consumer.address)).toBe(before - price)
    expect(tool.name).toMatch(/^x402_127_0_0_1_\d+_tools_word-stats_x402$/)
    // The tool's budget (0.003) has no room for a second call of 0.002.
    expect(JSON.parse(await tool.invoke(text))).toEqual({
      error: {
        code: 'BUDGET_EXCEEDED',
        message: `Spending 2000 would cross the limit of budget ${tool.name}.`,
      },
    })
  })

  test('maxPrice below the price, or input that fails its schema: refused, nothing paid', async () => {
    const consumer = await t.agent(3)
    const cheap = await consumer.x402Tool(served.x402Url!, { input, output, maxPrice: 1_999n })
    const before = await t.balance(consumer.address)
    expect(await codeOf(cheap.pay(text))).toBe('PRICE_TOO_HIGH')
    expect(JSON.parse(await cheap.invoke({ text: 7 }))).toMatchObject({
      error: { code: 'INPUT_INVALID' },
    })
    expect(await t.balance(consumer.address)).toBe(before)
  })
})
