import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { publishTool, publishVersion } from '../src/index.js'
import { createDirectoryIndex, isRangeRefusal } from '../src/node.js'
import { manifestFor, recordingClient, startTestChain, type TestChain } from './helpers.js'

let chain: TestChain
let dir: string
beforeAll(async () => {
  chain = await startTestChain()
  dir = await mkdtemp(join(tmpdir(), 'gotong-directory-'))
})
afterAll(async () => {
  await chain?.devnet.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

const rpc = (method: string, params: unknown[] = []) =>
  chain.publicClient.request({ method, params } as never) as Promise<unknown>
const publish = (name: string, wallet = 0) =>
  publishTool(chain.wallets[wallet]!, {
    address: chain.directory,
    manifest: manifestFor(chain, chain.wallets[wallet]!.account.address, { name, tags: [name] }),
  })
const names = async (index: ReturnType<typeof createDirectoryIndex>) =>
  (await index.search({ limit: 100 })).map((r) => r.listing.manifest!.name).sort()
const open = (store: string, extra: Partial<Parameters<typeof createDirectoryIndex>[0]> = {}) =>
  createDirectoryIndex({
    client: chain.publicClient,
    address: chain.directory,
    fromBlock: chain.deployments.startBlock,
    store,
    ...extra,
  })

describe('reorgs', () => {
  test('a reorg rolls the index back to the fork and reads the new branch', async () => {
    const index = open(':memory:')
    const deep = open(':memory:', { reorgDepth: 1 })
    const kept = await publish('kept')
    await index.sync()
    await deep.sync()
    const forkBlock = await chain.publicClient.getBlockNumber()
    const snapshot = await rpc('evm_snapshot')
    const orphan = await publish('orphan')
    await publishVersion(chain.wallets[0]!, {
      address: chain.directory,
      toolId: kept.toolId,
      manifest: manifestFor(chain, chain.wallets[0]!.account.address, {
        name: 'kept',
        tags: ['kept'],
        version: '2.0.0',
      }),
    })
    await rpc('anvil_mine', ['0x5'])
    await index.sync()
    await deep.sync()
    expect(await names(index)).toEqual(['kept', 'orphan'])
    expect((await index.getListing(kept.toolId))!.version).toBe(2n)

    await rpc('evm_revert', [snapshot])
    const replacement = await publish('replacement')
    expect(replacement.toolId).toBe(orphan.toolId)

    const result = await index.sync()
    expect(result.rolledBackTo).toBe(forkBlock)
    expect(await names(index)).toEqual(['kept', 'replacement'])
    const listing = await index.getListing(kept.toolId)
    expect(listing!.version).toBe(1n)
    expect(listing!.versions).toHaveLength(1)
    expect(listing!.manifest!.version).toBe('1.0.0')
    expect(index.cursor().blockNumber).toBe(await chain.publicClient.getBlockNumber())

    // Only one recent block remembered: nothing matches, so the index starts over, correctly.
    const again = await deep.sync()
    expect(again.rolledBackTo).toBe(BigInt(chain.deployments.startBlock) - 1n)
    expect(await names(deep)).toEqual(await names(index))
    index.close()
    deep.close()
  })
})

describe('node failures', () => {
  test('a node failing mid-sync is not mistaken for a reorg: nothing is rolled back', async () => {
    let failing = false
    const flaky = recordingClient(chain.devnet.rpcUrl, {
      fail: (method) => failing && method === 'eth_getBlockByNumber',
    })
    const index = open(':memory:', { client: flaky.client, chainId: 31337 })
    await publish('survivor')
    await index.sync()
    const before = index.cursor()
    await publish('later')
    failing = true
    await expect(index.sync()).rejects.toThrow()
    expect(index.cursor()).toEqual(before)
    expect(await names(index)).toContain('survivor')
    failing = false
    const result = await index.sync()
    expect(result.rolledBackTo).toBeUndefined()
    expect(await names(index)).toEqual(expect.arrayContaining(['survivor', 'later']))
    index.close()
  })
})

describe('resume and ranges', () => {
  test('a reopened index resumes from its cursor instead of block 0', async () => {
    const store = join(dir, 'resume.sqlite')
    const first = open(store)
    await publish('before-restart')
    await first.sync()
    const { blockNumber } = first.cursor()
    first.close()

    await publish('after-restart', 1)
    const recording = recordingClient(chain.devnet.rpcUrl)
    const second = open(store, { client: recording.client, chainId: 31337 })
    const result = await second.sync()
    expect(result.fromBlock).toBe(blockNumber + 1n)
    const ranges = recording.getLogsRanges()
    expect(ranges).toHaveLength(1)
    expect(ranges[0]![0]).toBe(blockNumber + 1n)
    expect(ranges[0]![0]).toBeGreaterThan(BigInt(chain.deployments.startBlock))
    expect(await names(second)).toContain('before-restart')
    expect(await names(second)).toContain('after-restart')
    second.close()

    const other = open(store, { address: chain.deployments.contracts.paymentChannels })
    await expect(other.sync()).rejects.toMatchObject({ code: 'INDEX_MISMATCH' })
    other.close()
  })

  test('a refused getLogs range is halved until the provider accepts it', async () => {
    await rpc('anvil_mine', ['0x40'])
    await publish('spread-one')
    await rpc('anvil_mine', ['0x40'])
    await publish('spread-two')
    const limited = recordingClient(chain.devnet.rpcUrl, { maxLogRange: 10n })
    const index = open(':memory:', { client: limited.client, chainId: 31337, blockRange: 100n })
    const head = await chain.publicClient.getBlockNumber()
    await index.sync()
    expect(index.cursor().blockNumber).toBe(head)
    const spans = limited.getLogsRanges().map(([from, to]) => to - from + 1n)
    expect(spans.slice(0, 5)).toEqual([100n, 50n, 25n, 13n, 7n])
    // Once refused, the span never grows past what the provider accepted.
    expect(spans.slice(5).every((span) => span <= 7n)).toBe(true)
    // Every block was read exactly once by an accepted query.
    const accepted = limited.getLogsRanges().filter(([from, to]) => to - from + 1n <= 10n)
    for (let i = 1; i < accepted.length; i++) expect(accepted[i]![0]).toBe(accepted[i - 1]![1] + 1n)
    expect(accepted[0]![0]).toBe(BigInt(chain.deployments.startBlock))
    expect(accepted.at(-1)![1]).toBe(head)
    expect(await names(index)).toEqual(expect.arrayContaining(['spread-one', 'spread-two']))
    index.close()
  })

  test('a provider that refuses even one block fails the sync and leaves the cursor', async () => {
    const refusing = recordingClient(chain.devnet.rpcUrl, { maxLogRange: 0n })
    const index = open(':memory:', { client: refusing.client, chainId: 31337 })
    const error = await index.sync().catch((e) => e)
    expect(error).toMatchObject({ code: 'LOG_FETCH_FAILED' })
    expect(index.cursor().blockNumber).toBe(BigInt(chain.deployments.startBlock) - 1n)
    index.close()
  })

  test.each([
    'query returned more than 10000 results',
    'exceed maximum block range: 5000',
    'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range',
    'eth_getLogs is limited to a 10,000 range',
    'block range is too wide',
  ])('"%s" is a range refusal', (message) => {
    expect(isRangeRefusal({ code: -32000, message })).toBe(true)
  })

  test('a connection failure is not a range refusal', () => {
    expect(isRangeRefusal(new TypeError('fetch failed'))).toBe(false)
  })
})

describe('watch', () => {
  test('follows new blocks and picks up new tools', async () => {
    const index = open(':memory:')
    await index.sync()
    const seen = new Promise<void>((resolve) => {
      const stop = index.watch({
        pollingInterval: 20,
        onSync: async () => {
          if ((await names(index)).includes('watched')) {
            stop()
            resolve()
          }
        },
      })
    })
    await publish('watched')
    await seen
    index.close()
  })
})
