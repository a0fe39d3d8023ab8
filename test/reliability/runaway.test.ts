import { createBudget } from '@gotong/payments'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { codeOf, countingTool, relationshipOf, type Setup, setup } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

describe('a runaway agent', () => {
  test('10,000 calls of 0.001 with 50 in flight against a budget of 1: it stops with BUDGET_EXCEEDED after exactly 1,000 served calls, having spent no more than the budget', async () => {
    const provider = await t.agent(1)
    const counted = countingTool('runaway')
    const served = await provider.serve(counted.tool, { price: '0.001' })
    const budget = createBudget('runaway', { max: 1_000_000n }) // 1 gUSD
    // A deposit for 2,000 calls, so only the budget can stop it.
    const consumer = await t.agent(2, { budget, callsPerChannel: 2_000n })
    const planned = 10_000
    let next = 0
    const outcomes = new Map<string, number>()
    const stoppedWith: string[] = []
    // The loop an LLM agent gone wrong would run: call, call, call, until something says no.
    const worker = async () => {
      while (next < planned) {
        next++
        const outcome = await codeOf(consumer.call(served.toolId, { text: `call ${next}` }))
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
        if (outcome !== 'ok') {
          stoppedWith.push(outcome)
          return
        }
      }
    }
    await Promise.all(Array.from({ length: 50 }, worker))

    expect(stoppedWith).toHaveLength(50)
    expect(new Set(stoppedWith)).toEqual(new Set(['BUDGET_EXCEEDED']))
    expect(outcomes.get('ok')).toBe(1_000)
    expect(next).toBeLessThan(planned) // the budget, not the plan, ended it
    expect(budget.spent()).toBe(1_000_000n)
    expect(budget.reserved()).toBe(0n)
    expect(counted.runs()).toBe(1_000)
    // Nothing was signed beyond the budget, and the chain pays exactly the budget.
    const { channelId, cumulative } = relationshipOf(consumer)
    expect(consumer.ledger().paid).toHaveLength(1_000)
    expect(cumulative).toBe(1_000_000n)
    expect((await provider.settler.claim(channelId))?.amount).toBe(1_000_000n)
    expect(await t.paidOut(channelId)).toBeLessThanOrEqual(1_000_000n)
  })
})
