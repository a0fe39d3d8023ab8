import { createClients } from '@gotong/chain'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { identityRegistryAbi } from '@gotong/contracts'
import { type Address, type Hex, zeroAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  AgentRegistrationFile,
  agentIdentityOf,
  buildAgentRegistration,
  Erc8004Error,
  erc8004RegistrationType,
  findAgentIds,
  manifestAgentIdentity,
  readAgent,
  registerAgentIdentity,
  resolveAgentUri,
  setAgentUri,
  setAgentWallet,
  toAgentDataUri,
} from '../src/index.js'

let devnet: Devnet
let identityRegistry: Address
const walletOf = (i: number) =>
  createClients({
    rpcUrl: devnet.rpcUrl,
    chainId: devnet.chainId,
    privateKey: devnet.accounts[i]!.privateKey,
  }).walletClient!
beforeAll(async () => {
  devnet = await startDevnet({ accounts: 4 })
  identityRegistry = devnet.deployments!.contracts.identityRegistry!
})
afterAll(async () => {
  await devnet?.stop()
})

const tools = [
  {
    ref: 'eip155:31337/erc8257:0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0/1',
    name: 'word-stats',
    x402: 'http://127.0.0.1:4000/tools/word-stats/x402',
  },
  { ref: 'eip155:31337/erc8257:0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0/2', name: 'free-echo' },
]

describe('the registration file', () => {
  test('lists the gotong endpoint, A2A card, x402 faces, tool refs and wallet; reputation as trust', () => {
    const file = buildAgentRegistration({
      name: 'stats',
      chainId: 31337,
      wallet: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      endpoint: 'http://127.0.0.1:4000',
      a2a: { endpoint: 'http://127.0.0.1:4000/.well-known/agent-card.json' },
      tools,
      registrations: [
        { identityRegistry: '0x8004A169FB4a3325136EB29fA0ceB6D2e539a432', agentId: 7n },
      ],
    })
    expect(file).toMatchInlineSnapshot(`
      {
        "active": true,
        "description": "A gotong agent serving 2 paid tools (word-stats, free-echo), paid per call through gotong payment channels or x402.",
        "name": "stats",
        "registrations": [
          {
            "agentId": 7,
            "agentRegistry": "eip155:31337:0x8004a169fb4a3325136eb29fa0ceb6d2e539a432",
          },
        ],
        "services": [
          {
            "endpoint": "http://127.0.0.1:4000",
            "name": "gotong",
            "version": "1",
          },
          {
            "endpoint": "http://127.0.0.1:4000/.well-known/agent-card.json",
            "name": "A2A",
            "version": "1.0",
          },
          {
            "endpoint": "http://127.0.0.1:4000/tools/word-stats/x402",
            "name": "x402",
            "tool": "word-stats",
            "version": "2",
          },
          {
            "endpoint": "eip155:31337/erc8257:0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0/1",
            "name": "ERC-8257",
            "tool": "word-stats",
            "version": "v1",
          },
          {
            "endpoint": "eip155:31337/erc8257:0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0/2",
            "name": "ERC-8257",
            "tool": "free-echo",
            "version": "v1",
          },
          {
            "endpoint": "eip155:31337:0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
            "name": "agentWallet",
          },
        ],
        "supportedTrust": [
          "reputation",
        ],
        "type": "https://eips.ethereum.org/EIPS/eip-8004#registration-v1",
        "x402Support": true,
      }
    `)
    const parsed = AgentRegistrationFile.parse(file)
    expect(parsed.registrations[0]?.agentId).toBe(7n)
  })

  test('a data: URI decodes back to the same file; bad URIs and files say what is wrong', async () => {
    const file = buildAgentRegistration({
      name: 'ünïcode agent',
      chainId: 31337,
      wallet: zeroAddress,
    })
    const uri = toAgentDataUri(file)
    expect(uri).toMatch(/^data:application\/json;base64,[A-Za-z0-9+/]+=*$/)
    expect(toAgentDataUri({ ...file })).toBe(uri)
    expect((await resolveAgentUri(uri)).name).toBe('ünïcode agent')
    // Percent-encoded JSON, and a file of the draft that listed `endpoints`.
    const draft = {
      type: erc8004RegistrationType,
      name: 'old',
      endpoints: [{ name: 'web', endpoint: 'https://x.example' }],
    }
    const resolved = await resolveAgentUri(
      `data:application/json,${encodeURIComponent(JSON.stringify(draft))}`,
    )
    expect(resolved.services).toEqual([{ name: 'web', endpoint: 'https://x.example' }])

    const codeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'resolved',
        (e: unknown) => (e instanceof Erc8004Error ? e.code : String(e)),
      )
    expect(await codeOf(resolveAgentUri('ipfs://bafy'))).toBe('AGENT_URI_UNSUPPORTED')
    expect(await codeOf(resolveAgentUri('data:text/plain;base64,aGk='))).toBe(
      'AGENT_URI_UNSUPPORTED',
    )
    expect(await codeOf(resolveAgentUri('data:application/json;base64,!!!'))).toBe(
      'AGENT_URI_UNREACHABLE',
    )
    expect(
      await codeOf(
        resolveAgentUri(toAgentDataUri({ type: 'https://gotong.dev/agent-card-v1', name: 'x' })),
      ),
    ).toBe('REGISTRATION_INVALID')
    expect(
      await codeOf(resolveAgentUri('http://127.0.0.1:1/agent.json', { timeoutMs: 2_000 })),
    ).toBe('AGENT_URI_UNREACHABLE')
  })

  test('a manifest names its agent under dev.gotong.erc8004, and only a well-formed claim reads', () => {
    const extension = manifestAgentIdentity({
      chainId: 31337,
      identityRegistry: zeroAddress,
      agentId: 3n,
    })
    expect(extension).toEqual({
      'dev.gotong.erc8004': {
        agentRegistry: 'eip155:31337:0x0000000000000000000000000000000000000000',
        agentId: 3,
      },
    })
    expect(agentIdentityOf({ name: 'x', ...extension })).toEqual({
      chainId: 31337,
      identityRegistry: zeroAddress,
      agentId: 3n,
    })
    expect(agentIdentityOf({ 'dev.gotong.erc8004': { agentId: 3 } })).toBeUndefined()
    expect(agentIdentityOf(undefined)).toBeUndefined()
  })
})

describe('on the devnet identity registry', () => {
  test('register, set the URI, read it back resolved; ids are found by owner', async () => {
    const owner = walletOf(1)
    const me = devnet.accounts[1]!.address
    const bare = await registerAgentIdentity(owner, { identityRegistry })
    const file = buildAgentRegistration({
      name: 'one',
      chainId: devnet.chainId,
      wallet: me,
      registrations: [{ identityRegistry, agentId: bare.agentId }],
    })
    await setAgentUri(owner, {
      identityRegistry,
      agentId: bare.agentId,
      agentURI: toAgentDataUri(file),
    })
    const agent = await readAgent(devnet.publicClient, {
      identityRegistry,
      agentId: bare.agentId,
      resolve: true,
    })
    expect(agent.owner).toBe(me)
    expect(agent.wallet).toBe(me)
    expect(agent.registration?.registrations).toEqual([
      { agentId: bare.agentId, agentRegistry: `eip155:31337:${identityRegistry.toLowerCase()}` },
    ])
    const second = await registerAgentIdentity(owner, {
      identityRegistry,
      agentURI: 'https://agent.example/registration.json',
    })
    expect(second.agentId).toBe(bare.agentId + 1n)
    expect(await findAgentIds(devnet.publicClient, { identityRegistry, owner: me })).toEqual([
      bare.agentId,
      second.agentId,
    ])
    // Given away: no longer found under the old owner, found under the new one.
    const hash = await owner.writeContract({
      address: identityRegistry,
      abi: identityRegistryAbi,
      functionName: 'transferFrom',
      args: [me, devnet.accounts[2]!.address, second.agentId],
      account: owner.account!,
      chain: owner.chain,
    })
    await devnet.publicClient.waitForTransactionReceipt({ hash })
    expect(await findAgentIds(devnet.publicClient, { identityRegistry, owner: me })).toEqual([
      bare.agentId,
    ])
    expect(
      await findAgentIds(devnet.publicClient, {
        identityRegistry,
        owner: devnet.accounts[2]!.address,
      }),
    ).toEqual([second.agentId])
    // The transfer cleared its wallet.
    expect(
      (await readAgent(devnet.publicClient, { identityRegistry, agentId: second.agentId })).wallet,
    ).toBeUndefined()
    await expect(
      readAgent(devnet.publicClient, { identityRegistry, agentId: 10_000n }),
    ).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND', reason: 'ERC721NonexistentToken' })
  })

  test('an owner proves another key as the wallet with its EIP-712 consent; a stranger cannot', async () => {
    const owner = walletOf(3)
    const agentKey = privateKeyToAccount(devnet.accounts[2]!.privateKey as Hex)
    const { agentId } = await registerAgentIdentity(owner, { identityRegistry })
    const { gasUsed } = await setAgentWallet(owner, { identityRegistry, agentId, wallet: agentKey })
    expect(gasUsed).toBeGreaterThan(21_000n)
    const agent = await readAgent(devnet.publicClient, { identityRegistry, agentId })
    expect(agent.owner).toBe(devnet.accounts[3]!.address)
    expect(agent.wallet).toBe(agentKey.address)
    // Found by its wallet as well as by its owner; the owner is no longer its wallet.
    expect(
      await findAgentIds(devnet.publicClient, { identityRegistry, wallet: agentKey.address }),
    ).toContain(agentId)
    expect(
      await findAgentIds(devnet.publicClient, {
        identityRegistry,
        wallet: devnet.accounts[3]!.address,
      }),
    ).not.toContain(agentId)
    // Someone who does not own the agent is refused, with the registry's reason.
    await expect(
      setAgentWallet(walletOf(1), { identityRegistry, agentId, wallet: agentKey }),
    ).rejects.toMatchObject({ code: 'ERC8004_REVERTED', reason: 'NotAgentOwnerOrOperator' })
    // A consent past the five minutes the registry allows.
    const far = (await devnet.publicClient.getBlock()).timestamp + 3_600n
    await expect(
      setAgentWallet(owner, { identityRegistry, agentId, wallet: agentKey, deadline: far }),
    ).rejects.toMatchObject({ reason: 'WalletProofDeadlineTooFar' })
  })
})
