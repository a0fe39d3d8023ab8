import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Agent, createAgent, type Network } from '@gotong/agent'
import type { RunningAgent } from '@gotong/agent-runner'
import { start as startTextProvider } from '@gotong/agent-text-provider'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { gotongTermsKey } from '@gotong/core'
import { SentimentResult } from '@gotong/tool-sentiment'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { start } from '../src/index.js'

let devnet: Devnet
let dir: string
let standard: RunningAgent
let budget: RunningAgent
const consumers: Agent[] = []
beforeAll(async () => {
  devnet = await startDevnet({ accounts: 5 })
  dir = mkdtempSync(join(tmpdir(), 'gotong-budget-text-provider-'))
  const network = devnet as Network
  standard = await startTextProvider({
    network,
    account: devnet.accounts[1]!.privateKey,
    store: join(dir, 'standard'),
  })
  budget = await start({
    network,
    account: devnet.accounts[2]!.privateKey,
    store: join(dir, 'budget'),
  })
})
afterAll(async () => {
  for (const consumer of consumers) await consumer.stop()
  await budget?.stop()
  await standard?.stop()
  await devnet?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const consumer = async (account: number) => {
  const agent = await createAgent({
    network: devnet as Network,
    account: devnet.accounts[account]!.privateKey,
    store: join(dir, `consumer-${account}-${consumers.length}`),
  })
  consumers.push(agent)
  return agent
}

describe('budget text provider', () => {
  test('the same capabilities as the text provider: cheaper, with a looser SLA', async () => {
    expect(budget.served.map((s) => [s.name, s.price])).toEqual([
      ['keywords', 1_000n],
      ['sentiment', 1_000n],
      ['summarize', 1_500n],
    ])
    const buyer = await consumer(3)
    await buyer.index.sync()
    for (const tag of ['keywords', 'sentiment', 'summarize']) {
      const offers = (await buyer.index.search({ tags: [tag] })).flatMap((hit) => hit.offers)
      expect(offers.map((o) => [o.creator, o.price?.amount])).toEqual([
        [budget.agent.address, budget.served.find((s) => s.name === tag)!.price],
        [standard.agent.address, standard.served.find((s) => s.name === tag)!.price],
      ])
      expect(offers[0]!.manifest?.tags).toEqual(offers[1]!.manifest?.tags)
      expect(offers.map((o) => (o.manifest![gotongTermsKey] as { sla: unknown }).sla)).toEqual([
        { p95LatencyMs: 5_000, callsPerMinute: 60 },
        { p95LatencyMs: 800, callsPerMinute: 600 },
      ])
    }
  })

  test('negotiating a capability: the cheapest wins, unless the SLA wanted rules it out', async () => {
    const thrifty = await consumer(3)
    const cheap = await thrifty.negotiate('sentiment')
    expect(cheap.provider).toBe(budget.agent.address)
    expect(cheap.agreement.agreement.pricePerCall).toBe(1_000n)
    const result = await thrifty.call(cheap.toolId, { texts: ['Cheap and cheerful, love it'] })
    expect(SentimentResult.parse(result.output).results[0]!.label).toBe('positive')
    expect(budget.agent.ledger().earned).toHaveLength(1)

    const hurried = await consumer(4)
    const fast = await hurried.negotiate('sentiment', { sla: { p95LatencyMs: 1_000 } })
    expect(fast.provider).toBe(standard.agent.address)
    expect(fast.agreement.agreement.pricePerCall).toBe(2_000n)
  })
})
