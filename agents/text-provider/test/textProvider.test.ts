import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Agent, createAgent, type Network } from '@gotong/agent'
import type { RunningAgent } from '@gotong/agent-runner'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { extractKeywords, KeywordsResult } from '@gotong/tool-keywords'
import { SentimentResult } from '@gotong/tool-sentiment'
import { Summary } from '@gotong/tool-summarize'
import { AIMessage } from '@langchain/core/messages'
import { fakeModel } from '@langchain/core/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { start } from '../src/index.js'

let devnet: Devnet
let dir: string
const running: RunningAgent[] = []
let consumer: Agent
beforeAll(async () => {
  devnet = await startDevnet({ accounts: 4 })
  dir = mkdtempSync(join(tmpdir(), 'gotong-text-provider-'))
  consumer = await createAgent({
    network: devnet as Network,
    account: devnet.accounts[3]!.privateKey,
    store: join(dir, 'consumer'),
  })
})
afterAll(async () => {
  await consumer?.stop()
  for (const agent of running) await agent.stop()
  await devnet?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const launch = async (account: number, extra: Partial<Parameters<typeof start>[0]> = {}) => {
  const agent = await start({
    network: devnet as Network,
    account: devnet.accounts[account]!.privateKey,
    store: join(dir, `provider-${account}`),
    ...extra,
  })
  running.push(agent)
  return agent
}

const reviews = [
  'The battery life is excellent and charging is fast.',
  'Terrible customer support, I waited two weeks.',
  'Battery life could be better but the screen is gorgeous.',
  'Fast shipping and great packaging.',
].join('\n')

describe('text provider', () => {
  test('sells keywords, sentiment and summarize at standard prices with a tight SLA', async () => {
    const provider = await launch(1)
    expect(provider.served.map((s) => [s.name, s.price])).toEqual([
      ['keywords', 2_000n],
      ['sentiment', 2_000n],
      ['summarize', 3_000n],
    ])
    const [keywords, sentiment, summarize] = provider.served.map((s) => s.toolId)

    const found = KeywordsResult.parse((await consumer.call(keywords!, { text: reviews })).output)
    expect(found).toEqual(extractKeywords(reviews)) // the same answer as running it locally
    expect(found.keywords).toContainEqual({ term: 'battery life', score: 4, count: 2 })

    const felt = SentimentResult.parse(
      (await consumer.call(sentiment!, { texts: reviews.split('\n') })).output,
    )
    expect(felt.results.map((r) => r.label)).toEqual([
      'positive',
      'negative',
      'positive',
      'positive',
    ])

    const summary = Summary.parse(
      (await consumer.call(summarize!, { text: reviews, maxSentences: 1 })).output,
    )
    expect(summary).toMatchObject({ method: 'extractive', sentenceCount: 4, sentences: [0] })

    expect(consumer.ledger().paid.map((v) => [v.status, v.amount])).toEqual([
      ['served', 2_000n],
      ['served', 2_000n],
      ['served', 3_000n],
    ])
    expect(provider.agent.ledger().earned).toHaveLength(3)
    await consumer.index.sync()
    const listing = (await consumer.index.search({ tags: ['summarize'] }))[0]!.listing
    expect(listing.manifest?.['dev.gotong.terms']).toMatchObject({
      sla: { p95LatencyMs: 800, callsPerMinute: 600 },
    })
  })

  test('with a chat model its summaries are written by the model, and say so', async () => {
    const llm = fakeModel().respond(new AIMessage('Buyers like the battery and the screen.'))
    const provider = await launch(2, { llm, prices: { summarize: '0.01' } })
    const summarize = provider.served.find((s) => s.name === 'summarize')!
    expect(summarize.price).toBe(10_000n)
    const result = await consumer.call(summarize.toolId, { text: reviews })
    expect(Summary.parse(result.output)).toMatchObject({
      method: 'llm',
      summary: 'Buyers like the battery and the screen.',
    })
    expect(result.price).toBe(10_000n)
  })
})
