import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createRemoteIndex } from '../src/node.js'

// The remote index's own behaviour against a stand-in indexer; its answers are held to the
// SQLite index's by the parity tests of @gotong/indexer, against the real one.

let server: Server
let url: string
const requests: string[] = []
let status = { block: '7', head: '7', logs: '21' }
/** How many more status requests answer 500. */
let failures = 0
/** How many more status requests have their connection closed unanswered. */
let resets = 0
const listing = {
  toolId: '3',
  ref: 'eip155:31337/erc8257:0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0/3',
  creator: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  metadataURI: 'https://tools.example.com/.well-known/ai-tool/t.json',
  version: '1',
  manifestHash: `0x${'ab'.repeat(32)}`,
  status: 'verified',
  deregistered: false,
  manifest: { name: 'weather-now' },
  price: {
    amount: '2000',
    asset: 'eip155:31337/erc20:0x5fbdb2315678afecb367f032d93f642f64180aa3',
    recipient: 'x',
    protocol: 'gotong-channel',
  },
  access: { predicate: null },
  registeredBlock: '5',
}

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`)
    const json = (body: unknown) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    if (request.url === '/directory/status' && resets > 0) {
      resets--
      return request.socket.destroy()
    }
    if (request.url === '/directory/status' && failures > 0) {
      failures--
      return response.writeHead(500).end('{"code":"INTERNAL"}')
    }
    if (request.url === '/directory/status')
      return json({
        ...status,
        chainId: 31337,
        address: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
        fromBlock: '0',
      })
    if (request.url === '/directory/search')
      return json({
        block: status.block,
        results: [{ listing, offers: [listing], relevance: -1.5 }],
      })
    if (request.url === '/directory/tools/3') return json({ block: status.block, listing: null })
    if (request.url === '/directory/tools/4')
      return json({ block: status.block, listing: { toolId: 'four' } })
    response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  server?.close()
})

describe('createRemoteIndex', () => {
  test('answers come back with their bigints, and the cursor is the block they were read at', async () => {
    const index = createRemoteIndex({ url })
    const [hit] = await index.search({ text: 'weather', maxPrice: 5_000n })
    expect(hit!.listing).toMatchObject({ toolId: 3n, version: 1n, registeredBlock: 5n })
    expect(hit!.listing.price!.amount).toBe(2000n)
    expect(hit!.relevance).toBe(-1.5)
    expect(index.cursor().blockNumber).toBe(7n)
    expect(await index.getListing(3n)).toBeUndefined()
    index.close()
  })

  test('sync waits for the block asked for, and fails INDEX_BEHIND when it does not come', async () => {
    const index = createRemoteIndex({ url, pollingInterval: 10, timeoutMs: 200 })
    status = { block: '7', head: '9', logs: '21' }
    const behind = await index.sync().catch((e) => e)
    expect(behind).toMatchObject({ code: 'INDEX_BEHIND', block: 7n, wanted: 9n })
    setTimeout(() => {
      status = { block: '9', head: '9', logs: '24' }
    }, 50)
    const synced = await index.sync({ toBlock: 9n })
    expect(synced).toMatchObject({ fromBlock: 0n, toBlock: 9n, logs: 24, rolledBackTo: undefined })
    status = { block: '12', head: '12', logs: '30' }
    expect(await index.sync()).toMatchObject({ fromBlock: 10n, toBlock: 12n, logs: 6 })
    index.close()
  })

  test('an indexer answering 500 while sync waits (as during a reorg) is asked again; one that keeps failing fails REMOTE_INDEX_FAILED at the deadline', async () => {
    const index = createRemoteIndex({ url, pollingInterval: 10, timeoutMs: 300 })
    status = { block: '12', head: '12', logs: '30' }
    failures = 3
    expect(await index.sync()).toMatchObject({ toBlock: 12n })
    expect(failures).toBe(0)
    failures = 1_000
    const failed = await index.sync().catch((e) => e)
    expect(failed).toMatchObject({ code: 'REMOTE_INDEX_FAILED', status: 500 })
    failures = 0
    index.close()
  })

  test('a connection the indexer closes unanswered is tried once more; twice in a row is REMOTE_INDEX_FAILED', async () => {
    const index = createRemoteIndex({ url })
    status = { block: '12', head: '12', logs: '30' }
    resets = 1
    expect(await index.sync()).toMatchObject({ toBlock: 12n })
    expect(resets).toBe(0)
    resets = 2
    const failed = await index.sync().catch((e) => e)
    expect(failed).toMatchObject({ code: 'REMOTE_INDEX_FAILED' })
    expect(failed.shortMessage).toMatch(/could not be reached/)
    expect(resets).toBe(0)
    index.close()
  })

  test('watch reports each new block the indexer reaches, until stopped', async () => {
    status = { block: '12', head: '12', logs: '30' }
    const index = createRemoteIndex({ url, pollingInterval: 10 })
    const blocks: bigint[] = []
    await new Promise<void>((resolve) => {
      const stop = index.watch({
        onSync: (result) => {
          blocks.push(result.toBlock)
          if (result.toBlock === 12n) status = { block: '13', head: '13', logs: '33' }
          else {
            stop()
            resolve()
          }
        },
      })
    })
    expect(blocks).toEqual([12n, 13n])
    index.close()
  })

  test('bad input fails as against a local index, without asking the indexer', async () => {
    const index = createRemoteIndex({ url })
    const before = requests.length
    const error = await index.search({ tags: ['Not A Tag'], limit: 0 }).catch((e) => e)
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.issues.map((i: { path: string }) => i.path)).toEqual(['tags.0', 'limit'])
    expect((await index.getListing(0n).catch((e) => e)).code).toBe('INVALID_INPUT')
    expect(requests.length).toBe(before)
    index.close()
  })

  test('an indexer that is down, or answers nonsense, is REMOTE_INDEX_FAILED', async () => {
    const nonsense = await createRemoteIndex({ url })
      .getListing(4n)
      .catch((e) => e)
    expect(nonsense.code).toBe('REMOTE_INDEX_FAILED')
    const down = createRemoteIndex({ url: 'http://127.0.0.1:1' })
    expect(await down.search({}).catch((e) => e.code)).toBe('REMOTE_INDEX_FAILED')
  })
})
