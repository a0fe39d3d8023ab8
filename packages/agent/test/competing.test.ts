import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { defineTool } from '../src/index.js'
import { type Setup, setup, wordStats } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup({ accounts: 6 })
})
afterAll(async () => {
  await t?.stop()
})

describe('competing providers', () => {
  test('a call for proposals to every provider of a capability agrees with the best offer', async () => {
    const tool = defineTool({ ...wordStats, tags: ['word-count'] })
    const offers = [
      { account: 1, price: 3_000n, p95: 100 },
      { account: 2, price: 1_500n, p95: 150 },
      { account: 3, price: 2_500n, p95: 50 },
    ]
    const providers = await Promise.all(offers.map((o) => t.agent(o.account)))
    const served = []
    for (const [i, o] of offers.entries())
      served.push(
        await providers[i]!.serve(tool, {
          price: o.price,
          sla: { p95LatencyMs: o.p95, callsPerMinute: 600 },
        }),
      )
    const consumer = await t.agent(4)
    const relationship = await consumer.negotiate('word-count', { maxPrice: 5_000n })
    expect(relationship.provider).toBe(providers[1]!.address)
    expect(relationship.toolId).toBe(served[1]!.toolId)
    expect(relationship.agreement.agreement.pricePerCall).toBe(1_500n)
    const result = await consumer.call(relationship.toolId, { text: 'cheapest wins' })
    expect(result.price).toBe(1_500n)
    expect(providers[1]!.ledger().earned).toHaveLength(1)
    expect(providers[0]!.ledger().earned).toHaveLength(0)

    // With an SLA wanted that the cheapest cannot meet, the fast one wins.
    const picky = await t.agent(5)
    const fast = await picky.negotiate('word-count', { sla: { p95LatencyMs: 80 } })
    expect(fast.provider).toBe(providers[2]!.address)
    expect(fast.agreement.agreement.p95LatencyMs).toBe(50)
  })
})
