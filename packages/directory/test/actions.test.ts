import { createServer } from 'node:http'
import { alwaysDenyPredicateAbi, toolDirectoryAbi } from '@gotong/contracts'
import { agentCardType, InvalidManifestError } from '@gotong/core'
import { createPublicClient, http } from 'viem'
import { readContract } from 'viem/actions'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  checkAccess,
  deregisterTool,
  getAccessRequirements,
  getTool,
  publishTool,
  publishVersion,
  registerAgent,
  setAccess,
} from '../src/index.js'
import { manifestFor, startTestChain, type TestChain } from './helpers.js'

let chain: TestChain
beforeAll(async () => {
  chain = await startTestChain()
})
afterAll(() => chain?.devnet.stop())

const toolCount = () =>
  readContract(chain.publicClient, {
    address: chain.directory,
    abi: toolDirectoryAbi,
    functionName: 'toolCount',
  })

describe('publishing and reading tools', () => {
  test('the directory is an ERC-8257 registry (ERC-165 0xf1dc8075)', async () => {
    const supports = await readContract(chain.publicClient, {
      address: chain.directory,
      abi: toolDirectoryAbi,
      functionName: 'supportsInterface',
      args: ['0xf1dc8075'],
    })
    expect(supports).toBe(true)
  })

  test('publishTool registers the canonical manifest; getTool reads it back', async () => {
    const [alice] = chain.wallets
    const manifest = manifestFor(chain, alice!.account.address)
    const published = await publishTool(alice!, { address: chain.directory, manifest })
    expect(published.ref).toBe(
      `eip155:31337/erc8257:${chain.directory.toLowerCase()}/${published.toolId}`,
    )
    expect(published.metadataURI).toBe(
      'https://tools.example.com/.well-known/ai-tool/weather-now.json',
    )
    const tool = await getTool(chain.publicClient, {
      address: chain.directory,
      toolId: published.toolId,
    })
    expect(tool).toMatchObject({
      creator: alice!.account.address,
      version: 1n,
      latestVersion: 1n,
      manifestHash: published.manifestHash,
      accessPredicate: null,
    })
  })

  test('publishVersion adds version 2; version 1 stays pinnable', async () => {
    const [alice] = chain.wallets
    const v1 = await publishTool(alice!, {
      address: chain.directory,
      manifest: manifestFor(chain, alice!.account.address, { name: 'lineage' }),
    })
    const v2 = await publishVersion(alice!, {
      address: chain.directory,
      toolId: v1.toolId,
      manifest: manifestFor(chain, alice!.account.address, { name: 'lineage', version: '1.1.0' }),
    })
    expect(v2.version).toBe(2n)
    expect(v2.previousManifestHash).toBe(v1.manifestHash)
    const pinned = await getTool(chain.publicClient, {
      address: chain.directory,
      toolId: v1.toolId,
      version: 1n,
    })
    expect(pinned).toMatchObject({ version: 1n, latestVersion: 2n, manifestHash: v1.manifestHash })
    await expect(
      getTool(chain.publicClient, { address: chain.directory, toolId: v1.toolId, version: 3n }),
    ).rejects.toMatchObject({ code: 'VERSION_NOT_FOUND' })
  })

  test('a non-creator cannot change a tool: NotToolCreator surfaces as NOT_TOOL_CREATOR', async () => {
    const [alice, mallory] = chain.wallets
    const { toolId } = await publishTool(alice!, {
      address: chain.directory,
      manifest: manifestFor(chain, alice!.account.address),
    })
    const attempts = [
      () =>
        publishVersion(mallory!, {
          address: chain.directory,
          toolId,
          manifest: manifestFor(chain, mallory!.account.address),
        }),
      () => setAccess(mallory!, { address: chain.directory, toolId, predicate: null }),
      () => deregisterTool(mallory!, { address: chain.directory, toolId }),
    ]
    for (const attempt of attempts) {
      const error = await attempt().catch((e) => e)
      expect(error).toMatchObject({
        name: 'NotToolCreatorError',
        code: 'NOT_TOOL_CREATOR',
        toolId,
        caller: mallory!.account.address,
      })
    }
    const tool = await getTool(chain.publicClient, { address: chain.directory, toolId })
    expect(tool.version).toBe(1n)
  })

  test("a node that does not answer a read is CHAIN_READ_FAILED, typed, not viem's raw timeout", async () => {
    // A node that takes requests and never answers them.
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as { port: number }
    const client = createPublicClient({
      chain: chain.publicClient.chain,
      transport: http(`http://127.0.0.1:${port}`, { timeout: 200, retryCount: 0 }),
    })
    try {
      await expect(
        getTool(client, { address: chain.directory, toolId: 1n, blockNumber: 1n }),
      ).rejects.toMatchObject({ name: 'ChainReadError', code: 'CHAIN_READ_FAILED' })
    } finally {
      silent.closeAllConnections()
      silent.close()
    }
  })

  test('unknown and deregistered tools are told apart', async () => {
    const [alice] = chain.wallets
    await expect(
      getTool(chain.publicClient, { address: chain.directory, toolId: 9_999n }),
    ).rejects.toMatchObject({ code: 'TOOL_NOT_FOUND', toolId: 9_999n })
    const { toolId } = await publishTool(alice!, {
      address: chain.directory,
      manifest: manifestFor(chain, alice!.account.address),
    })
    await deregisterTool(alice!, { address: chain.directory, toolId })
    await expect(
      getTool(chain.publicClient, { address: chain.directory, toolId }),
    ).rejects.toMatchObject({
      code: 'TOOL_DEREGISTERED',
      shortMessage: `Tool ${toolId} was deregistered by its creator.`,
    })
    await expect(
      deregisterTool(alice!, { address: chain.directory, toolId }),
    ).rejects.toMatchObject({
      code: 'TOOL_DEREGISTERED',
    })
  })

  test('a bad manifest is refused before anything is sent, naming the field and rule', async () => {
    const [alice] = chain.wallets
    const before = await toolCount()
    const error = await publishTool(alice!, {
      address: chain.directory,
      manifest: manifestFor(chain, alice!.account.address, { tags: ['Weather'] }),
    }).catch((e) => e)
    expect(error).toBeInstanceOf(InvalidManifestError)
    expect(error.issues).toEqual([expect.objectContaining({ rule: 'tag_grammar', path: 'tags.0' })])
    const impersonation = await publishTool(alice!, {
      address: chain.directory,
      manifest: manifestFor(chain, chain.wallets[1]!.account.address),
    }).catch((e) => e)
    expect(impersonation.code).toBe('ACCOUNT_MISMATCH')
    const gotongOnly = await publishTool(alice!, {
      address: chain.directory,
      manifest: { ...manifestFor(chain, alice!.account.address), 'dev.gotong.terms': undefined },
      gotong: true,
    }).catch((e) => e)
    expect(gotongOnly.rules).toEqual(['gotong_terms_missing'])
    expect(await toolCount()).toBe(before)
  })
})

describe('access', () => {
  test('always-deny pauses a tool; reopening restores access', async () => {
    const [alice, bob] = chain.wallets
    const { toolId } = await publishTool(alice!, {
      address: chain.directory,
      manifest: manifestFor(chain, alice!.account.address),
    })
    const ask = () =>
      checkAccess(chain.publicClient, {
        address: chain.directory,
        toolId,
        account: bob!.account.address,
      })
    expect((await ask()).status).toBe('granted')
    const paused = await setAccess(alice!, {
      address: chain.directory,
      toolId,
      predicate: chain.deployments.contracts.alwaysDenyPredicate,
    })
    expect(paused.changed).toBe(true)
    expect(await ask()).toEqual({ status: 'denied', ok: true, granted: false })
    const requirements = await getAccessRequirements(chain.publicClient, {
      address: chain.directory,
      toolId,
    })
    expect(requirements).toMatchObject({
      open: false,
      name: 'AlwaysDenyPredicate',
      logic: 'AND',
      requirements: [{ kind: '0x3e9c155d', kindName: 'accessPaused', data: '0x' }],
    })
    await setAccess(alice!, { address: chain.directory, toolId, predicate: null })
    expect((await ask()).status).toBe('granted')
  })

  test('a predicate without code is a broken gate, not a denial', async () => {
    const [alice, bob] = chain.wallets
    const { toolId } = await publishTool(alice!, {
      address: chain.directory,
      manifest: manifestFor(chain, alice!.account.address),
      accessPredicate: bob!.account.address,
    })
    expect(
      await checkAccess(chain.publicClient, {
        address: chain.directory,
        toolId,
        account: bob!.account.address,
      }),
    ).toEqual({ status: 'predicate_error', ok: false, granted: false })
    const requirements = await getAccessRequirements(chain.publicClient, {
      address: chain.directory,
      toolId,
    })
    expect(requirements).toMatchObject({ open: false, name: undefined, requirements: undefined })
  })

  test('a contract that is not a predicate is refused with INVALID_ACCESS_PREDICATE', async () => {
    const [alice] = chain.wallets
    // The directory itself answers ERC-165 but is not an IAccessPredicate.
    const error = await publishTool(alice!, {
      address: chain.directory,
      manifest: manifestFor(chain, alice!.account.address),
      accessPredicate: chain.directory,
    }).catch((e) => e)
    expect(error).toMatchObject({ code: 'INVALID_ACCESS_PREDICATE', predicate: chain.directory })
    expect(alwaysDenyPredicateAbi.length).toBeGreaterThan(0)
  })
})

describe('agents', () => {
  test('registerAgent stores the card hash; a card for another account is refused', async () => {
    const [alice] = chain.wallets
    const card = {
      type: agentCardType,
      name: 'Alice',
      endpoint: 'http://127.0.0.1:8080',
      address: alice!.account.address.toLowerCase(),
      chain: 'eip155:31337',
    } as const
    const { cardHash } = await registerAgent(alice!, { address: chain.directory, card })
    const stored = await readContract(chain.publicClient, {
      address: chain.directory,
      abi: toolDirectoryAbi,
      functionName: 'agentCard',
      args: [alice!.account.address],
    })
    expect(stored).toEqual({ endpoint: card.endpoint, name: 'Alice', cardHash })
    await expect(
      registerAgent(chain.wallets[1]!, { address: chain.directory, card }),
    ).rejects.toMatchObject({ code: 'ACCOUNT_MISMATCH' })
  })
})
