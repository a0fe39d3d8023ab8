import { type Agent, buildManifest } from '@gotong/agent'
import { toolDirectoryAbi } from '@gotong/contracts'
import { canonicalBytes } from '@gotong/core'
import { deregisterTool, getTool, publishTool } from '@gotong/directory'
import { type Hex, keccak256, stringToHex, toHex, zeroAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { deployBatchPublisher } from './batchPublisher.js'
import { countingTool, type Setup, setup } from './fixture.js'
import { startRpcProxy } from './rpcProxy.js'

// Each scenario on its own devnet: the reorg scenario compares every tool on chain with the
// index, one read each, which it need not do for 10,000 junk listings.
let t: Setup
function ownDevnet() {
  beforeAll(async () => {
    t = await setup({ accounts: 8 })
  })
  afterAll(async () => {
    await t?.stop()
  })
}

const price = 1_000n
const spammer = 7
// The full 10,000. Registered through a batch contract, a thousand per transaction.
const junk = 10_000
// Valid listings from the same contract, one after every thousand junk ones.
const validEvery = 1_000

const rpc = (method: string, params: unknown[] = []) =>
  t.testClient.request({ method, params } as never) as Promise<unknown>

/** A gotong manifest for a counting tool, as an agent would publish it. */
function manifest(name: string, creator: Hex, description?: string) {
  const { tool } = countingTool(name)
  return buildManifest({
    tool: description ? { ...tool, description } : tool,
    endpoint: `http://127.0.0.1:9/tools/${name}`,
    creator,
    chainId: t.devnet.chainId,
    token: t.contracts.gotongToken,
    channels: t.contracts.paymentChannels,
    price,
  })
}

/** Every tool on chain against the agent's index: version, manifest hash, liveness, creator. */
async function expectIndexEqualsChain(agent: Agent) {
  const count = await t.devnet.publicClient.readContract({
    address: t.contracts.toolDirectory,
    abi: toolDirectoryAbi,
    functionName: 'toolCount',
  })
  const ids = Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1))
  const mismatches: string[] = []
  for (let i = 0; i < ids.length; i += 100) {
    await Promise.all(
      ids.slice(i, i + 100).map(async (toolId) => {
        const chain = await getTool(t.devnet.publicClient, {
          address: t.contracts.toolDirectory,
          toolId,
        }).catch((error: { code?: string }) => {
          if (error.code === 'TOOL_DEREGISTERED') return 'deregistered' as const
          throw error
        })
        const listing = await agent.index.getListing(toolId)
        const seen = listing && {
          deregistered: listing.deregistered,
          version: listing.version,
          manifestHash: listing.manifestHash,
        }
        const truth =
          chain === 'deregistered'
            ? { deregistered: true, version: seen?.version, manifestHash: seen?.manifestHash }
            : { deregistered: false, version: chain.version, manifestHash: chain.manifestHash }
        if (JSON.stringify(seen, toText) !== JSON.stringify(truth, toText))
          mismatches.push(
            `${toolId}: ${JSON.stringify(seen, toText)} ≠ ${JSON.stringify(truth, toText)}`,
          )
      }),
    )
  }
  expect(mismatches).toEqual([])
  const indexed = await agent.index.getListing(count + 1n)
  expect(indexed).toBeUndefined()
  return count
}

const toText = (_key: string, value: unknown) =>
  typeof value === 'bigint' ? value.toString() : value

describe('directory poisoning', () => {
  ownDevnet()
  test('10,000 junk listings (broken JSON, wrong schema, non-canonical bytes so hash-mismatched, impersonations) among valid ones, an oversized manifest and an unverifiable URI: the valid listings are found and the honest tool called; no junk is found', async () => {
    const provider = await t.agent(1)
    const honest = countingTool('word-stats', { tags: ['text', 'words'] })
    const served = await provider.serve(honest.tool, { price })
    // A spammer's contract registers the junk: it is the creator on chain of all of it.
    const publisher = await deployBatchPublisher(t, spammer)
    const spam = publisher.address
    const stuffed = 'words words words count the words of a text, the best words tool'
    const text = (i: number) => `${stuffed} ${i}`
    const kinds = [
      // not JSON
      (i: number) => stringToHex(`{"name": "word-stats", "description": "${text(i)}"`),
      // not a manifest
      (i: number) => stringToHex(JSON.stringify({ name: 'word-stats', description: text(i) })),
      // not canonical, so its canonical hash is not the one on chain
      (i: number) => stringToHex(JSON.stringify(manifest('word-stats', spam, text(i)), null, 2)),
      // names the honest provider as its creator
      (i: number) => toHex(canonicalBytes(manifest('word-stats', provider.address, text(i)))),
    ]
    // Valid listings in between, which the contract publishes under its own name.
    const valid: bigint[] = []
    const listings: Hex[] = []
    for (let i = 0; i < junk; i++) {
      listings.push(kinds[i % kinds.length]!(i))
      if ((i + 1) % validEvery === 0) {
        listings.push(
          toHex(canonicalBytes(manifest(`ledger-${i}`, spam, `Balances a ledger, entry ${i}.`))),
        )
        valid.push(served.toolId + BigInt(listings.length))
      }
    }
    await publisher.publish('https://spam.example/words.json', listings)
    // Too big for the contract at all; a URI registration with a hash nothing matches.
    const oversized = stringToHex(`{"description":"${'words '.repeat(12_000)}"}`)
    await expect(
      t.devnet.publicClient.simulateContract({
        account: t.address(spammer),
        address: t.contracts.toolDirectory,
        abi: toolDirectoryAbi,
        functionName: 'registerToolWithManifest',
        args: ['https://spam.example/big.json', keccak256(oversized), zeroAddress, oversized],
      }),
    ).rejects.toThrow(/InvalidManifestSize/)
    await t.devnet.publicClient.waitForTransactionReceipt({
      hash: await t.wallet(spammer).writeContract({
        address: t.contracts.toolDirectory,
        abi: toolDirectoryAbi,
        functionName: 'registerTool',
        args: ['https://spam.example/words.json', keccak256(toHex('words')), zeroAddress],
      }),
    })

    const consumer = await t.agent(2)
    const tools = await consumer.toolkit({ query: 'words' })
    expect(tools.map((tool) => tool.name)).toEqual([`word-stats_${served.toolId}`])
    expect((await consumer.call(served.toolId, { text: 'still found' })).output).toMatchObject({
      words: 2,
    })
    const ledgers = await consumer.index.search({ text: 'ledger' })
    expect(ledgers.map((hit) => hit.listing.toolId).sort((a, b) => Number(a - b))).toEqual(valid)
    // The junk is indexed, each marked with what is wrong with it, and hidden from search.
    const reasons = new Map<string, number>()
    const last = served.toolId + BigInt(listings.length) + 1n
    for (let toolId = served.toolId + 1n; toolId <= last; toolId++) {
      const listing = await consumer.index.getListing(toolId)
      const reason =
        listing?.status === 'verified' ? 'verified' : String(listing?.unverified?.reason)
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1)
    }
    expect(Object.fromEntries(reasons)).toEqual({
      not_json: junk / 4,
      schema: junk / 4,
      hash_mismatch: junk / 4,
      creator_mismatch: junk / 4,
      verified: junk / validEvery,
      no_manifest: 1,
    })
    expect(await consumer.index.getListing(last + 1n)).toBeUndefined()
    const everything = await consumer.index.search({ text: 'words', includeUnverified: true })
    expect(everything.length).toBeGreaterThan(1)
    expect(honest.runs()).toBe(1)
  })
})

describe('getLogs limits and reorgs, through an agent’s index', () => {
  ownDevnet()
  test('an RPC that refuses getLogs over 50 blocks, then a reorg that drops a tool, a version and a deregistration: the index equals the chain after each', async () => {
    const proxy = await startRpcProxy(t.devnet.rpcUrl, { maxLogRange: 50 })
    try {
      await t.testClient.mine({ blocks: 300 }) // empty stretches the index has to page through
      const provider = await t.agent(1)
      const served = await provider.serve(countingTool('reorg-kept').tool, { price })
      const doomed = await publishTool(t.wallet(spammer), {
        address: t.contracts.toolDirectory,
        manifest: manifest('reorg-doomed', t.address(spammer)),
        gotong: true,
      })
      const agent = await t.agent(3, { network: { ...t.network, rpcUrl: proxy.url } })
      await agent.index.sync()
      const before = await expectIndexEqualsChain(agent)
      expect(proxy.refusedRanges()).toBeGreaterThan(0)

      const snapshot = await rpc('evm_snapshot')
      const fork = await t.devnet.publicClient.getBlockNumber()
      const orphan = await publishTool(t.wallet(4), {
        address: t.contracts.toolDirectory,
        manifest: manifest('reorg-orphan', t.address(4)),
        gotong: true,
      })
      await served.update({ description: 'A second version, soon gone.' })
      await deregisterTool(t.wallet(spammer), {
        address: t.contracts.toolDirectory,
        toolId: doomed.toolId,
      })
      await t.testClient.mine({ blocks: 5 })
      await agent.index.sync()
      expect((await agent.index.getListing(orphan.toolId))?.manifest?.name).toBe('reorg-orphan')
      expect((await agent.index.getListing(served.toolId))?.version).toBe(2n)
      expect((await agent.index.getListing(doomed.toolId))?.deregistered).toBe(true)
      await expectIndexEqualsChain(agent)

      await rpc('evm_revert', [snapshot])
      const replacement = await publishTool(t.wallet(5), {
        address: t.contracts.toolDirectory,
        manifest: manifest('reorg-replacement', t.address(5)),
        gotong: true,
      })
      expect(replacement.toolId).toBe(orphan.toolId)
      await t.testClient.mine({ blocks: 3 })
      const result = await agent.index.sync()
      expect(result.rolledBackTo).toBeLessThanOrEqual(fork)
      expect((await agent.index.getListing(served.toolId))?.version).toBe(1n)
      expect((await agent.index.getListing(doomed.toolId))?.deregistered).toBe(false)
      expect((await agent.index.getListing(replacement.toolId))?.manifest?.name).toBe(
        'reorg-replacement',
      )
      expect(await expectIndexEqualsChain(agent)).toBe(before + 1n)
    } finally {
      await proxy.close()
    }
  })
})
