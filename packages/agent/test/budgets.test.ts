import { createBudget } from '@gotong/payments'
import { AIMessage, type ToolMessage } from '@langchain/core/messages'
import { fakeModel } from '@langchain/core/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Agent } from '../src/index.js'
import { type Setup, setup, wordStats } from './fixture.js'

let t: Setup
let toolId: bigint
let provider: Agent
beforeAll(async () => {
  t = await setup({ accounts: 6 })
  provider = await t.agent(1)
  ;({ toolId } = await provider.serve(wordStats, { price: '0.002' }))
})
afterAll(async () => {
  await t?.stop()
})

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string }) => error.code,
  )
const text = { text: 'many hands make light work' }
/** What the consumer's ledger says it paid for, per voucher: [calls, status]. */
const paid = (agent: Agent) => agent.ledger().paid.map((v) => [v.calls, v.status] as const)

describe('every budget that applies holds, wherever the channel came from', () => {
  test("a call's own budget binds an agent that already pays through a channel", async () => {
    const consumer = await t.agent(2)
    await consumer.call(toolId, text) // the channel is funded now, with no budget in sight
    const job = createBudget('job', { max: 3_000n }) // 0.003 gUSD: one call of 0.002
    expect(await codeOf(consumer.call(toolId, text, { budget: job }))).toBe('ok')
    expect(await codeOf(consumer.call(toolId, text, { budget: job }))).toBe('BUDGET_EXCEEDED')
    expect(job.spent()).toBe(2_000n)
    // Refused before anything was signed: no voucher, no charge.
    expect(paid(consumer)).toEqual([
      [1n, 'served'],
      [2n, 'served'],
    ])
  })

  test("a toolkit's budget binds calls through a channel funded before it, as JSON to the model", async () => {
    const consumer = await t.agent(3)
    await consumer.call(toolId, text)
    const [tool] = await consumer.toolkit({ toolIds: [toolId], budget: '0.003', maxPrice: '0.002' })
    expect(JSON.parse(await tool!.invoke(text))).toMatchObject({ result: { words: 5 } })
    expect(JSON.parse(await tool!.invoke(text))).toEqual({
      error: {
        code: 'BUDGET_EXCEEDED',
        message: 'Spending 2000 would cross the limit of budget toolkit.',
      },
    })
    expect(paid(consumer).filter(([, status]) => status === 'served')).toHaveLength(2)
  })

  test("the agent's own budget holds when a call names a larger one", async () => {
    const consumer = await t.agent(4, { budget: '0.005' }) // two calls of 0.002
    const roomy = createBudget('roomy', { max: 1_000_000n })
    expect(await codeOf(consumer.call(toolId, text, { budget: roomy }))).toBe('ok')
    expect(await codeOf(consumer.call(toolId, text, { budget: roomy }))).toBe('ok')
    expect(await codeOf(consumer.call(toolId, text, { budget: roomy }))).toBe('BUDGET_EXCEEDED')
    expect(roomy.spent()).toBe(4_000n)
  })

  test('prices and budgets take decimal strings or base units alike; a malformed one is AMOUNT_INVALID', async () => {
    const consumer = await t.agent(5)
    expect(await codeOf(consumer.call(toolId, text, { maxPrice: '0.001' }))).toBe('PRICE_TOO_HIGH')
    expect(await codeOf(consumer.call(toolId, text, { maxPrice: 2_000n, budget: 2_000n }))).toBe(
      'ok',
    )
    expect(await codeOf(consumer.call(toolId, text, { budget: '1e-3' }))).toBe('AMOUNT_INVALID')
    // The channel exists now: a lower maxPrice still binds every later call through it.
    expect(await codeOf(consumer.call(toolId, text, { maxPrice: '0.0015' }))).toBe('PRICE_TOO_HIGH')
    expect(paid(consumer)).toEqual([[1n, 'served']])
    expect(await codeOf(consumer.toolkit({ maxPrice: '0.001' }))).toBe('ok')
  })
})

describe('an agreement used up under a budget', () => {
  test.each([
    ['with', createBudget('long-job', { max: 1_000_000n })],
    ['without', undefined],
  ])('its channel is renewed, not refused (%s a budget)', async (_, job) => {
    // Two calls an agreement, though the provider's minimum deposit pays for ten.
    const consumer = await t.agent(4, { callsPerChannel: 2n })
    for (let i = 0; i < 5; i++)
      expect(await codeOf(consumer.call(toolId, text, job ? { budget: job } : {}))).toBe('ok')
    if (job) expect(job.spent()).toBe(10_000n)
    // The fifth call paid through a third agreement and channel.
    const channels = new Set(consumer.ledger().paid.map((v) => v.channelId))
    expect(channels.size).toBe(3)
  })
})

describe('every failure reaches the model as {"error": {code, message}}', () => {
  test('a local budget refusal and arguments that miss the schema arrive as JSON, not prose', async () => {
    const name = `word-stats_${toolId}`
    const seen: string[] = []
    const model = fakeModel()
      .respondWithTools([{ name, args: text, id: 'a' }])
      .respondWithTools([{ name, args: text, id: 'b' }])
      .respondWithTools([{ name, args: { words: 3 }, id: 'c' }])
      .respond((messages) => {
        seen.push(
          ...messages
            .filter((m) => m.getType() === 'tool')
            .map((m) => String((m as ToolMessage).content)),
        )
        return new AIMessage('done')
      })
    const consumer = await t.agent(5, { llm: model, budget: '0.003' })
    const tools = await consumer.toolkit({ toolIds: [toolId] })
    await consumer.run('Count the words twice, then once more.', { tools })
    expect(seen.map((content) => JSON.parse(content))).toEqual([
      { result: { words: 5, characters: 26, longest: 'hands' } },
      {
        error: {
          code: 'BUDGET_EXCEEDED',
          message: expect.stringMatching(/would cross the limit of budget/),
        },
      },
      {
        error: {
          code: 'INPUT_INVALID',
          message: expect.stringMatching(/^The arguments do not match the tool's input schema/),
        },
      },
    ])
  })
})
