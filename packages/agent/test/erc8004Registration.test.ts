import { join } from 'node:path'
import { createClients } from '@gotong/chain'
import { toolDirectoryAbi } from '@gotong/contracts'
import { agentCardType } from '@gotong/core'
import { registerAgent } from '@gotong/directory'
import { type Address, type Hex, parseAbi } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { defineTool } from '../src/index.js'
import { identityAbi, readSpecAgent, receiptSigner, registeredBy } from './erc8004SpecClient.js'
import { channelReceipt, type Setup, setup, wordStats } from './fixture.js'

let t: Setup
let registry: Address
beforeAll(async () => {
  t = await setup({ accounts: 8 })
  registry = t.devnet.deployments!.contracts.identityRegistry!
})
afterAll(async () => {
  await t?.stop()
})

const echo = defineTool({
  name: 'echo',
  description: 'Answers with the text it was given.',
  tags: ['text'],
  input: z.object({ text: z.string() }),
  output: z.object({ text: z.string() }),
  handler: ({ text }) => ({ text }),
})

describe('agents register as ERC-8004 agents', () => {
  test('on its first serve: a client of the ERC resolves the file, and the wallet signs its receipts', async () => {
    const provider = await t.agent(1, { name: 'stats' })
    const served = await provider.serve(wordStats, { price: '0.002' })
    const identity = provider.identity!
    expect(identity.wallet).toBe(provider.address)
    expect(identity.agentURI).toMatch(/^data:application\/json;base64,/)

    // An outside client: the spec's ABI, the Registered event, tokenURI, getAgentWallet.
    expect(await registeredBy(t.devnet.publicClient, registry, provider.address)).toEqual([
      identity.agentId,
    ])
    const seen = await readSpecAgent(t.devnet.publicClient, registry, identity.agentId)
    expect(seen.owner).toBe(provider.address)
    expect(seen.wallet).toBe(provider.address)
    expect(seen.file.type).toBe('https://eips.ethereum.org/EIPS/eip-8004#registration-v1')
    expect(seen.file.name).toBe('stats')
    expect(seen.file.supportedTrust).toEqual(['reputation'])
    expect(seen.file.registrations).toEqual([
      {
        agentId: Number(identity.agentId),
        agentRegistry: `eip155:31337:${registry.toLowerCase()}`,
      },
    ])
    const services = Object.fromEntries(seen.file.services.map((s) => [s.name, s.endpoint]))
    expect(services).toMatchObject({
      gotong: provider.url,
      A2A: `${provider.url}/.well-known/agent-card.json`,
      x402: served.x402Url,
      'ERC-8257': served.ref,
      agentWallet: `eip155:31337:${provider.address.toLowerCase()}`,
    })

    // The same file at the agent's endpoint and at the well-known path.
    for (const path of ['/', '/.well-known/agent-registration.json']) {
      const response = await fetch(`${provider.url}${path}`)
      expect(response.headers.get('content-type')).toBe('application/json')
      expect(await response.json()).toEqual(seen.file)
    }
    expect((await fetch(`${provider.url}/`, { method: 'POST' })).status).toBe(404)

    // The tool's manifest names the agent; the receipt of a paid call recovers to its wallet.
    const consumer = await t.agent(2, { name: 'consumer' })
    const listing = await consumer.index.sync().then(() => consumer.index.getListing(served.toolId))
    expect(listing?.manifest?.['dev.gotong.erc8004']).toEqual({
      agentRegistry: `eip155:31337:${registry.toLowerCase()}`,
      agentId: Number(identity.agentId),
    })
    const result = await consumer.call(served.toolId, { text: 'many hands' })
    if (result.rail !== 'channel') throw new Error('expected a channel call')
    const signer = await receiptSigner(
      { chainId: 31337, paymentChannels: t.devnet.deployments!.contracts.paymentChannels },
      result.receipt,
    )
    expect(signer).toBe(seen.wallet)
    expect(channelReceipt(result).calls).toBe(1n)
  })

  test('a restarted agent keeps its id, even with its store lost; a new tool rewrites the file', async () => {
    const store = join(t.dir, 'restarting')
    const first = await t.agent(3, { name: 'restarting', store })
    await first.serve(echo, { price: '0.001' })
    const { agentId, agentURI } = first.identity!
    await first.stop()

    const again = await t.agent(3, { name: 'restarting', store })
    const served = await again.serve(wordStats, { price: '0.003' })
    expect(again.identity?.agentId).toBe(agentId)
    const seen = await readSpecAgent(t.devnet.publicClient, registry, agentId)
    expect(seen.uri).not.toBe(agentURI)
    // Both tools: echo from the first process (read from the directory), word-stats served now.
    expect(seen.file.services.filter((s) => s.name === 'ERC-8257').map((s) => s.endpoint)).toEqual([
      expect.stringMatching(/\/\d+$/),
      served.ref,
    ])
    await again.stop()

    // A new store: the id is found on chain by its owner, not registered again.
    const fresh = await t.agent(3, { name: 'restarting', store: join(t.dir, 'restarting-new') })
    expect((await fresh.register()).agentId).toBe(agentId)
    expect(
      await registeredBy(t.devnet.publicClient, registry, t.devnet.accounts[3]!.address),
    ).toEqual([agentId])
  })

  test('another owner holds the identity; the agent key is its wallet by EIP-712 consent', async () => {
    const owner = t.devnet.accounts[5]!
    const agent = await t.agent(4, {
      name: 'owned',
      identity: {
        owner: owner.privateKey as Hex,
        services: [{ name: 'web', endpoint: 'https://owned.example' }],
      },
    })
    await agent.register({ services: [{ name: 'MCP', endpoint: 'https://owned.example/mcp' }] })
    const identity = await agent.register({
      services: [{ name: 'MCP', endpoint: 'https://owned.example/mcp' }],
    })
    const seen = await readSpecAgent(t.devnet.publicClient, registry, identity.agentId)
    expect(seen.owner).toBe(owner.address)
    expect(seen.wallet).toBe(agent.address)
    expect(identity).toMatchObject({ owner: owner.address, wallet: agent.address })
    // Not serving: the file says so, with no gotong endpoint, and keeps the services given.
    expect(seen.file).toMatchObject({ active: false })
    expect(seen.file.services.map((s) => s.name)).toEqual(['agentWallet', 'web', 'MCP'])
    // The registry's own record of the wallet, as the ERC's getMetadata shows it.
    const stored = await t.devnet.publicClient.readContract({
      address: registry,
      abi: identityAbi,
      functionName: 'getMetadata',
      args: [identity.agentId, 'agentWallet'],
    })
    expect(stored.toLowerCase()).toBe(agent.address.toLowerCase())
  })

  test('with an https URI, that URI is registered once and the file is served for it to proxy', async () => {
    const uri = 'https://agent.example/.well-known/agent-registration.json'
    const agent = await t.agent(7, { name: 'public', identity: { uri } })
    await agent.serve(echo, { price: '0.001' })
    await agent.serve(wordStats, { price: '0.002' })
    const { agentId } = agent.identity!
    const onChain = await t.devnet.publicClient.readContract({
      address: registry,
      abi: identityAbi,
      functionName: 'tokenURI',
      args: [agentId],
    })
    expect(onChain).toBe(uri)
    // One transaction for the identity: the URI went in with the registration.
    const updates = await t.devnet.publicClient.getContractEvents({
      address: registry,
      abi: parseAbi([
        'event URIUpdated(uint256 indexed agentId, string newURI, address indexed updatedBy)',
      ]),
      args: { agentId },
      fromBlock: 0n,
    })
    expect(updates).toEqual([])
    const served = (await (
      await fetch(`${agent.url}/.well-known/agent-registration.json`)
    ).json()) as {
      services: { name: string }[]
    }
    expect(served.services.filter((s) => s.name === 'ERC-8257')).toHaveLength(2)
  })

  test('an old gotong card (agent-card-v1) in the directory is cleared when the agent registers', async () => {
    const account = t.devnet.accounts[2]!
    const wallet = createClients({
      rpcUrl: t.devnet.rpcUrl,
      chainId: t.devnet.chainId,
      privateKey: account.privateKey,
    }).walletClient!
    const directory = t.devnet.deployments!.contracts.toolDirectory
    const card = {
      type: agentCardType,
      name: 'old-card',
      endpoint: 'http://127.0.0.1:9/',
      address: account.address.toLowerCase(),
      chain: 'eip155:31337',
    } as const
    await registerAgent(wallet, { address: directory, card })
    const cardOf = () =>
      t.devnet.publicClient.readContract({
        address: directory,
        abi: toolDirectoryAbi,
        functionName: 'agentCard',
        args: [account.address],
      })
    expect((await cardOf()).name).toBe('old-card')
    const agent = await t.agent(2, { name: 'migrated' })
    await agent.register()
    expect(await cardOf()).toEqual({ endpoint: '', name: '', cardHash: `0x${'0'.repeat(64)}` })
  })

  test('identity: false publishes without registering; the manifest names no agent', async () => {
    const agent = await t.agent(6, { name: 'anonymous', identity: false })
    const served = await agent.serve(echo, { price: '0.001' })
    expect(agent.identity).toBeUndefined()
    expect(await registeredBy(t.devnet.publicClient, registry, agent.address)).toEqual([])
    await agent.index.sync()
    const listing = await agent.index.getListing(served.toolId)
    expect(listing?.manifest?.['dev.gotong.erc8004']).toBeUndefined()
    expect((await fetch(`${agent.url}/.well-known/agent-registration.json`)).status).toBe(404)
  })
})
