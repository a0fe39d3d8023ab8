// Three providers offer the same capability; one call for proposals picks the best terms.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAgent, defineTool } from '@gotong/agent'
import { startDevnet } from '@gotong/chain/node'
import { z } from 'zod'

const devnet = await startDevnet({ accounts: 5 })
const dir = mkdtempSync(join(tmpdir(), 'gotong-example-'))
const network = { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, deployments: devnet.deployments! }

const count = defineTool({
  name: 'count-vowels',
  description: 'Counts the vowels of a text.',
  tags: ['vowel-count'],
  input: z.object({ text: z.string() }),
  output: z.object({ vowels: z.number().int() }),
  handler: ({ text }) => ({ vowels: (text.match(/[aeiou]/gi) ?? []).length }),
})

const offers = [
  { price: 3_000n, p95LatencyMs: 40 },
  { price: 1_000n, p95LatencyMs: 400 },
  { price: 2_000n, p95LatencyMs: 90 },
]
const providers = await Promise.all(
  offers.map((_, i) =>
    createAgent({
      account: devnet.accounts[i + 1]!.privateKey,
      network,
      store: join(dir, `p${i}`),
    }),
  ),
)
const consumer = await createAgent({
  account: devnet.accounts[4]!.privateKey,
  network,
  store: join(dir, 'c'),
})
try {
  for (const [i, offer] of offers.entries())
    await providers[i]!.serve(count, {
      price: offer.price,
      sla: { p95LatencyMs: offer.p95LatencyMs, callsPerMinute: 600 },
    })

  // Wanted: p95 under 100 ms. The cheapest (400 ms) is out; of the rest, 2,000 beats 3,000.
  const deal = await consumer.negotiate('vowel-count', { sla: { p95LatencyMs: 100 } })
  const { agreement } = deal.agreement
  console.log(
    `agreed with ${deal.provider}: ${agreement.pricePerCall} per call, p95 ${agreement.p95LatencyMs} ms`,
  )
  assert.equal(deal.provider, providers[2]!.address)
  assert.equal(agreement.pricePerCall, 2_000n)

  const { output } = await consumer.call(deal.toolId, { text: 'gotong royong' })
  assert.deepEqual(output, { vowels: 4 })
  console.log('result:', output)
} finally {
  for (const agent of [...providers, consumer]) await agent.stop()
  await devnet.stop()
  rmSync(dir, { recursive: true, force: true })
}
