import { publishTool } from '@gotong/directory'
import {
  createDirectoryIndex,
  createRemoteIndex,
  type DirectoryIndex,
} from '@gotong/directory/node'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { createTestDatabase } from '../../../test/support/postgres.js'
import { type Indexer, startIndexer } from '../node/index.js'
import { answers, asJson, buildDirectory, startTestChain, type TestChain } from './directory.js'

let chain: TestChain
let database: Awaited<ReturnType<typeof createTestDatabase>>
let indexer: Indexer
let local: DirectoryIndex
let remote: DirectoryIndex
const log: string[] = []
const timings: Record<string, number> = {}

const start = () =>
  startIndexer({
    rpcUrl: chain.devnet.rpcUrl,
    deployments: chain.devnet.deployments!,
    databaseUrl: database.url,
    schema: 'directory',
    port: 0,
    pollingInterval: 100,
    logLevel: 'info',
    onLog: (line) => log.push(line),
  })

beforeAll(async () => {
  chain = await startTestChain()
  database = await createTestDatabase(inject('databaseUrl'))
  await buildDirectory(chain)
  const t0 = performance.now()
  indexer = await start()
  timings.start = performance.now() - t0
  local = createDirectoryIndex({
    client: chain.devnet.publicClient,
    address: chain.directory,
    fromBlock: chain.devnet.deployments!.startBlock,
    store: ':memory:',
    fetchManifest: false,
  })
  remote = createRemoteIndex({ url: indexer.url, pollingInterval: 50 })
})

afterAll(async () => {
  console.log(
    `ponder start-up: ${Math.round(timings.start ?? 0)} ms; restart after kill -9: ${Math.round(timings.restart ?? 0)} ms`,
  )
  local?.close()
  remote?.close()
  await indexer?.stop()
  await database?.drop()
  await chain?.devnet.stop()
})

/** Both indexes at the chain's head, then the same answers to every question. */
async function expectParity() {
  const { toBlock } = await local.sync()
  expect((await remote.sync({ toBlock })).toBlock).toBe(toBlock)
  const [mine, shared] = [await answers(local, chain), await answers(remote, chain)]
  expect(shared).toEqual(mine)
  expect(asJson(shared)).toBe(asJson(mine))
  return mine
}

describe('the shared index answers what the local one answers', () => {
  test('every search and listing of a realistic directory', async () => {
    const { searches, listings } = await expectParity()
    // The directory really has what the queries are meant to reach.
    const offers = searches[2]!.flatMap((r) => r.offers)
    expect(new Set(offers.map((o) => o.unverified?.reason))).toEqual(
      new Set([
        undefined,
        'not_json',
        'schema',
        'hash_mismatch',
        'creator_mismatch',
        'no_manifest',
      ]),
    )
    expect(offers.some((o) => o.deregistered)).toBe(true)
    expect(offers.some((o) => o.agent?.name === 'Bob, translator and forecaster')).toBe(true)
    expect(searches[14]!.map((r) => r.listing.manifest?.name)).toEqual(['reopened-oracle'])
    expect(searches[4]![0]!.relevance).toBeLessThan(0)
    const lineage = listings.find((l) => l?.versions.length === 3)
    expect(lineage?.versions.map((v) => v.unverified?.reason)).toEqual([
      undefined,
      undefined,
      'no_manifest',
    ])
    expect(listings.at(-1)).toBeUndefined()
  })

  test('right after publishing, sync({ toBlock }) waits for the indexer to reach the block', async () => {
    const { blockNumber, toolId } = await publishTool(chain.wallets[2]!, {
      address: chain.directory,
      manifest: chain.manifest(2, { name: 'fresh-off-the-press', tags: ['fresh'] }),
    })
    const synced = await remote.sync({ toBlock: blockNumber })
    expect(synced.toBlock).toBeGreaterThanOrEqual(blockNumber)
    const [hit] = await remote.search({ tags: ['fresh'] })
    expect(hit?.listing.toolId).toBe(toolId)
  })

  test('after a reorg both indexes forget the orphaned block and read the new branch', async () => {
    await publishTool(chain.wallets[1]!, {
      address: chain.directory,
      manifest: chain.manifest(1, { name: 'orphan', tags: ['orphan'] }),
    })
    await expectParity()
    expect((await remote.search({ tags: ['orphan'] })).length).toBe(1)
    await chain.rpc('anvil_reorg', [2, []])
    await publishTool(chain.wallets[1]!, {
      address: chain.directory,
      manifest: chain.manifest(1, { name: 'replacement', tags: ['replacement'] }),
    })
    const { searches } = await expectParity()
    expect(await remote.search({ tags: ['orphan'] })).toEqual([])
    expect((await remote.search({ tags: ['replacement'] })).length).toBe(1)
    expect(searches[0]!.length).toBeGreaterThan(0)
  })

  test('killed with SIGKILL, the indexer restarts where it stopped and answers the same', async () => {
    indexer.process.kill('SIGKILL')
    await indexer.exited
    await publishTool(chain.wallets[2]!, {
      address: chain.directory,
      manifest: chain.manifest(2, { name: 'while-down', tags: ['down'] }),
    })
    log.length = 0
    const t0 = performance.now()
    indexer = await start()
    timings.restart = performance.now() - t0
    remote.close()
    remote = createRemoteIndex({ url: indexer.url, pollingInterval: 50 })
    await expectParity()
    expect((await remote.search({ tags: ['down'] })).length).toBe(1)
    expect(log.some((line) => line.includes('Detected crash recovery'))).toBe(true)
  })
})
