import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { toolDirectoryAbi } from '@gotong/contracts'
import { agentCardType, canonicalBytes, contentHash, toErc20Caip19 } from '@gotong/core'
import { keccak256, parseEventLogs, toHex, zeroAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  deregisterTool,
  publishTool,
  publishVersion,
  registerAgent,
  setAccess,
} from '../src/index.js'
import { createDirectoryIndex, type DirectoryIndex } from '../src/node.js'
import { manifestFor, startTestChain, type TestChain } from './helpers.js'

let chain: TestChain
let index: DirectoryIndex
let server: Server
let origin: string
const served = new Map<string, Uint8Array>()

beforeAll(async () => {
  chain = await startTestChain()
  index = createDirectoryIndex({
    client: chain.publicClient,
    address: chain.directory,
    fromBlock: chain.deployments.startBlock,
    store: ':memory:',
  })
  server = createServer((request, response) => {
    const body = served.get(request.url ?? '')
    if (!body) return response.writeHead(404).end()
    response.writeHead(200, { 'content-type': 'application/json' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  index?.close()
  server?.close()
  await chain?.devnet.stop()
})

const alice = () => chain.wallets[0]!
const bob = () => chain.wallets[1]!
const asset = () => toErc20Caip19(31337, chain.deployments.contracts.gotongToken)

describe('publish → index → search', () => {
  test('a published tool is found by text, tags, price, asset and creator', async () => {
    const weather = await publishTool(alice(), {
      address: chain.directory,
      manifest: manifestFor(chain, alice().account.address, {}, '2000'),
    })
    const translate = await publishTool(bob(), {
      address: chain.directory,
      manifest: manifestFor(
        chain,
        bob().account.address,
        {
          name: 'translate-pro',
          description: 'Translates text between forty languages, keeping the tone.',
          tags: ['translation', 'language'],
        },
        '500',
      ),
    })
    const sync = await index.sync()
    expect(sync.logs).toBe(6)
    expect(sync.toBlock).toBe(await chain.publicClient.getBlockNumber())

    const [hit, ...rest] = await index.search({ text: 'weather forecast' })
    expect(rest).toEqual([])
    expect(hit!.listing).toMatchObject({
      toolId: weather.toolId,
      ref: weather.ref,
      status: 'verified',
      version: 1n,
      manifestHash: weather.manifestHash,
      price: { amount: 2000n, asset: asset(), protocol: 'gotong-channel' },
      access: { predicate: null },
      manifest: { name: 'weather-now' },
    })
    expect(hit!.offers).toHaveLength(1)
    expect((await index.search({ text: 'translat' }))[0]!.listing.toolId).toBe(translate.toolId)
    expect((await index.search({ text: 'languages tone' }))[0]!.listing.toolId).toBe(
      translate.toolId,
    )
    expect((await index.search({ tags: ['translation'] })).map((r) => r.listing.toolId)).toEqual([
      translate.toolId,
    ])
    // Without text: cheapest first.
    expect((await index.search({})).map((r) => r.listing.toolId)).toEqual([
      translate.toolId,
      weather.toolId,
    ])
    expect(
      (await index.search({ maxPrice: 1000n, asset: asset() })).map((r) => r.listing.toolId),
    ).toEqual([translate.toolId])
    expect(
      await index.search({ asset: 'eip155:1/erc20:0x833589fcd6edb6e08f4c7c32d4f71b54bda02913' }),
    ).toEqual([])
    expect(
      (await index.search({ creator: alice().account.address })).map((r) => r.listing.toolId),
    ).toEqual([weather.toolId])
    expect(await index.search({ text: 'spaceship' })).toEqual([])
  })

  test('bad search input is an InvalidInputError naming the field', async () => {
    const error = await index.search({ tags: ['Not A Tag'], limit: 0 }).catch((e) => e)
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.issues.map((i: { path: string }) => i.path)).toEqual(['tags.0', 'limit'])
  })

  test('a new version makes a lineage of two; search sees the new manifest', async () => {
    const v1 = await publishTool(alice(), {
      address: chain.directory,
      manifest: manifestFor(chain, alice().account.address, { name: 'geocoder', tags: ['maps'] }),
    })
    await index.sync()
    const v2 = await publishVersion(alice(), {
      address: chain.directory,
      toolId: v1.toolId,
      manifest: manifestFor(chain, alice().account.address, {
        name: 'geocoder',
        description: 'Turns street addresses into coordinates, now with reverse lookups.',
        tags: ['maps'],
        version: '2.0.0',
      }),
    })
    await index.sync()
    const listing = await index.getListing(v1.toolId)
    expect(listing!.version).toBe(2n)
    expect(listing!.manifest?.version).toBe('2.0.0')
    expect(
      listing!.versions.map((v) => [v.version, v.manifestHash, v.previousManifestHash]),
    ).toEqual([
      [1n, v1.manifestHash, `0x${'0'.repeat(64)}`],
      [2n, v2.manifestHash, v1.manifestHash],
    ])
    expect(listing!.versions.every((v) => v.status === 'verified')).toBe(true)
    // Each version keeps its own manifest, the one its hash on chain is of.
    expect(listing!.versions.map((v) => v.manifest && contentHash(v.manifest))).toEqual([
      v1.manifestHash,
      v2.manifestHash,
    ])
    expect((await index.search({ text: 'reverse lookups' }))[0]!.listing.toolId).toBe(v1.toolId)
  })

  test('always-deny hides a tool from accessibleTo searches only', async () => {
    const { toolId } = await publishTool(alice(), {
      address: chain.directory,
      manifest: manifestFor(chain, alice().account.address, {
        name: 'paused-oracle',
        tags: ['pausable'],
      }),
    })
    await setAccess(alice(), {
      address: chain.directory,
      toolId,
      predicate: chain.deployments.contracts.alwaysDenyPredicate,
    })
    await index.sync()
    const everyone = await index.search({ tags: ['pausable'] })
    expect(everyone.map((r) => r.listing.toolId)).toEqual([toolId])
    expect(everyone[0]!.listing.access).toMatchObject({
      predicate: chain.deployments.contracts.alwaysDenyPredicate,
      requirements: { name: 'AlwaysDenyPredicate', requirements: [{ kindName: 'accessPaused' }] },
    })
    expect(await index.search({ tags: ['pausable'], accessibleTo: bob().account.address })).toEqual(
      [],
    )
    await setAccess(alice(), { address: chain.directory, toolId, predicate: null })
    await index.sync()
    const reopened = await index.search({ tags: ['pausable'], accessibleTo: bob().account.address })
    expect(reopened[0]!.listing.access.check).toMatchObject({ status: 'granted' })
  })

  test('deregistered tools leave search unless asked for', async () => {
    const { toolId } = await publishTool(alice(), {
      address: chain.directory,
      manifest: manifestFor(chain, alice().account.address, { name: 'retired', tags: ['retired'] }),
    })
    await deregisterTool(alice(), { address: chain.directory, toolId })
    await index.sync()
    expect(await index.search({ tags: ['retired'] })).toEqual([])
    const [hit] = await index.search({ tags: ['retired'], includeDeregistered: true })
    expect(hit!.listing).toMatchObject({ toolId, deregistered: true })
  })

  test('listings of one manifest are grouped as competing offers; impersonations are unverified', async () => {
    const manifest = manifestFor(chain, alice().account.address, {
      name: 'twin-tool',
      tags: ['twin'],
    })
    const first = await publishTool(alice(), { address: chain.directory, manifest })
    const second = await publishTool(alice(), { address: chain.directory, manifest })
    // bob registers alice's exact bytes: the hash verifies, the creator binding does not.
    const bytes = canonicalBytes(manifest)
    await chain.raw(1, 'registerToolWithManifest', [
      'https://tools.example.com/.well-known/ai-tool/twin.json',
      keccak256(bytes),
      zeroAddress,
      toHex(bytes),
    ])
    await index.sync()
    const [group, ...none] = await index.search({ tags: ['twin'] })
    expect(none).toEqual([])
    expect(group!.offers.map((o) => o.toolId)).toEqual([first.toolId, second.toolId])
    const [all] = await index.search({ tags: ['twin'], includeUnverified: true })
    expect(all!.offers.map((o) => [o.creator, o.status, o.unverified?.reason])).toEqual([
      [alice().account.address, 'verified', undefined],
      [alice().account.address, 'verified', undefined],
      [bob().account.address, 'unverified', 'creator_mismatch'],
    ])
  })

  test("a creator's agent card comes with its listings", async () => {
    const card = {
      type: agentCardType,
      name: 'Bob the translator',
      endpoint: 'http://127.0.0.1:9000',
      address: bob().account.address.toLowerCase(),
      chain: 'eip155:31337',
    } as const
    const { cardHash } = await registerAgent(bob(), { address: chain.directory, card })
    await index.sync()
    const [hit] = await index.search({ tags: ['translation'] })
    expect(hit!.listing.agent).toEqual({ name: card.name, endpoint: card.endpoint, cardHash })
  })
})

describe('bad manifests are unverified with their reason; nothing stops the indexer', () => {
  test('each kind is marked, hidden by default, and valid tools still come back', async () => {
    const a = alice().account.address
    const good = manifestFor(chain, a, { name: 'steady', tags: ['robust'] })
    // Oversized and hash mismatch: plain ERC-8257 registrations whose URI serves the bytes.
    served.set('/.well-known/ai-tool/big.json', new Uint8Array(70_000).fill(0x20))
    const servedManifest = manifestFor(chain, a, { name: 'served', tags: ['robust'] })
    served.set('/.well-known/ai-tool/served.json', canonicalBytes(servedManifest))
    const cases: [string, () => Promise<unknown>][] = [
      [
        'oversized',
        () =>
          chain.raw(0, 'registerTool', [
            `${origin}/.well-known/ai-tool/big.json`,
            keccak256(toHex('anything')),
            zeroAddress,
          ]),
      ],
      ['not_json', () => chain.registerBytes(0, 'this is not json {')],
      [
        'schema',
        () =>
          chain.registerBytes(
            0,
            JSON.stringify({ ...good, name: 'robust schema', tags: ['ROBUST'] }),
          ),
      ],
      [
        'hash_mismatch',
        () =>
          chain.raw(0, 'registerTool', [
            `${origin}/.well-known/ai-tool/served.json`,
            keccak256(toHex('a different manifest')),
            zeroAddress,
          ]),
      ],
      // Not canonical JSON: the contract checks keccak(bytes), the ERC hashes the canonical form.
      ['hash_mismatch', () => chain.registerBytes(0, JSON.stringify(good, null, 2))],
      [
        'creator_mismatch',
        () =>
          chain.registerBytes(
            0,
            new TextDecoder().decode(
              canonicalBytes(manifestFor(chain, bob().account.address, { tags: ['robust'] })),
            ),
          ),
      ],
      [
        'fetch_failed',
        () =>
          chain.raw(0, 'registerTool', [
            `${origin}/.well-known/ai-tool/missing.json`,
            keccak256(toHex('gone')),
            zeroAddress,
          ]),
      ],
    ]
    const before = await chain.publicClient.getBlockNumber()
    for (const [, register] of cases) await register()
    const valid = await publishTool(alice(), { address: chain.directory, manifest: good })
    const fetched = await chain.raw(0, 'registerTool', [
      `${origin}/.well-known/ai-tool/served.json`,
      keccak256(canonicalBytes(servedManifest)),
      zeroAddress,
    ])
    const sync = await index.sync()
    expect(sync.fromBlock).toBeLessThanOrEqual(before + 1n)

    const visible = await index.search({ tags: ['robust'] })
    expect(visible.map((r) => r.listing.manifest?.name).sort()).toEqual(['served', 'steady'])
    expect(visible.find((r) => r.listing.manifest?.name === 'steady')!.listing.toolId).toBe(
      valid.toolId,
    )
    expect(fetched.status).toBe('success')

    const all = await index.search({ includeUnverified: true, limit: 100 })
    const unverified = all
      .flatMap((r) => r.offers)
      .filter((o) => o.registeredBlock > before && o.status === 'unverified')
      .sort((x, y) => Number(x.toolId - y.toolId))
    expect(unverified.map((o) => o.unverified!.reason)).toEqual(cases.map(([reason]) => reason))
    const schema = unverified[2]!.unverified!
    expect(schema.issues).toEqual([
      expect.objectContaining({ rule: 'tag_grammar', path: 'tags.0' }),
    ])
    expect(unverified[0]!.unverified!.message).toMatch(/larger than 65536 bytes/)
    expect(unverified[4]!.unverified!.message).toMatch(/canonical/)
  })
})

describe('manifests served from a metadata URI', () => {
  test('a failed fetch is tried again after refetchAfterMs, and then verifies', async () => {
    let now = 1_000_000
    const fresh = createDirectoryIndex({
      client: chain.publicClient,
      address: chain.directory,
      fromBlock: chain.deployments.startBlock,
      store: ':memory:',
      now: () => now,
      refetchAfterMs: 60_000,
    })
    const late = manifestFor(chain, alice().account.address, { name: 'late', tags: ['late'] })
    const receipt = await chain.raw(0, 'registerTool', [
      `${origin}/.well-known/ai-tool/late.json`,
      keccak256(canonicalBytes(late)),
      zeroAddress,
    ])
    const [registered] = parseEventLogs({
      abi: toolDirectoryAbi,
      eventName: 'ToolRegistered',
      logs: receipt.logs,
    })
    const toolId = registered!.args.toolId
    await fresh.sync()
    expect((await fresh.getListing(toolId))!.unverified?.reason).toBe('fetch_failed')

    served.set('/.well-known/ai-tool/late.json', canonicalBytes(late))
    now += 30_000
    await fresh.sync()
    expect(await fresh.search({ tags: ['late'] })).toEqual([])
    now += 31_000
    await fresh.sync()
    const [verified] = await fresh.search({ tags: ['late'] })
    expect(verified!.listing).toMatchObject({
      toolId,
      status: 'verified',
      manifest: { name: 'late' },
    })
    fresh.close()
  })
})
