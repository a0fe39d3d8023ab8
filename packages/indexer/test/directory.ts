import { createClients } from '@gotong/chain'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { toolDirectoryAbi } from '@gotong/contracts'
import {
  agentCardType,
  canonicalBytes,
  gotongChannelProtocol,
  gotongTermsKey,
  toCaip10,
  toErc20Caip19,
} from '@gotong/core'
import {
  deregisterTool,
  publishTool,
  publishVersion,
  registerAgent,
  setAccess,
} from '@gotong/directory'
import type { DirectoryIndex, SearchParameters } from '@gotong/directory/node'
import {
  type Account,
  type Chain,
  type Hex,
  keccak256,
  stringToHex,
  type Transport,
  toHex,
  type WalletClient,
  zeroAddress,
} from 'viem'
import { waitForTransactionReceipt, writeContract } from 'viem/actions'

type Wallet = WalletClient<Transport, Chain, Account>

export type TestChain = {
  devnet: Devnet
  directory: Hex
  wallets: Wallet[]
  rpc(method: string, params?: unknown[]): Promise<unknown>
  /** A directory call bypassing the SDK's checks, as any client of the contract may make. */
  raw(wallet: number, functionName: string, args: readonly unknown[]): Promise<bigint>
  manifest(wallet: number, overrides?: Record<string, unknown>, price?: string): object
}

export async function startTestChain(): Promise<TestChain> {
  const devnet = await startDevnet({ accounts: 3 })
  const deployments = devnet.deployments!
  const { chainId } = devnet
  const wallets = devnet.accounts.map(
    (account) =>
      createClients({ rpcUrl: devnet.rpcUrl, chainId, privateKey: account.privateKey })
        .walletClient!,
  )
  const directory = deployments.contracts.toolDirectory
  return {
    devnet,
    directory,
    wallets,
    rpc: (method, params = []) => devnet.publicClient.request({ method, params } as never),
    async raw(wallet, functionName, args) {
      const client = wallets[wallet]!
      const hash = await writeContract(client, {
        address: directory,
        abi: toolDirectoryAbi,
        functionName,
        args,
      } as never)
      const receipt = await waitForTransactionReceipt(client, { hash })
      if (receipt.status !== 'success') throw new Error(`${functionName} reverted`)
      return receipt.blockNumber
    },
    manifest(wallet, overrides = {}, price = '2000') {
      const creator = wallets[wallet]!.account.address
      return {
        type: 'https://ercs.ethereum.org/ERCS/erc-8257#tool-manifest-v1',
        name: 'weather-now',
        description: 'Current weather and a three day forecast for any city.',
        endpoint: 'https://tools.example.com/weather',
        inputs: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        outputs: { type: 'object' },
        creatorAddress: creator.toLowerCase(),
        version: '1.0.0',
        tags: ['weather', 'forecast'],
        pricing: [
          {
            amount: price,
            asset: toErc20Caip19(chainId, deployments.contracts.gotongToken),
            recipient: toCaip10(chainId, creator),
            protocol: gotongChannelProtocol,
          },
        ],
        [gotongTermsKey]: {
          version: 1,
          channels: toCaip10(chainId, deployments.contracts.paymentChannels),
        },
        ...overrides,
      }
    },
  }
}

/**
 * A directory with one of everything an index keeps: verified listings from several creators,
 * a versioned tool, a gated one and a paused one, a deregistered one, one manifest listed three
 * times (twice by its creator, once by an impersonator), every unverified reason a log can
 * carry, a URI with a NUL in it, and agent cards set, replaced and cleared.
 *
 * @returns the last block it wrote.
 */
export async function buildDirectory(chain: TestChain): Promise<bigint> {
  const [alice, bob] = chain.wallets as [Wallet, Wallet, Wallet]
  const address = chain.directory
  const publish = (
    wallet: Wallet,
    index: number,
    overrides: Record<string, unknown>,
    price?: string,
  ) => publishTool(wallet, { address, manifest: chain.manifest(index, overrides, price) })
  const { alwaysDenyPredicate } = chain.devnet.deployments!.contracts

  await publish(alice, 0, {})
  await publish(
    bob,
    1,
    {
      name: 'translate-pro',
      description: 'Translates text between forty languages, keeping the tone.',
      tags: ['translation', 'language'],
    },
    '500',
  )
  await publish(
    bob,
    1,
    {
      name: 'weather-radar',
      description: 'Radar images of weather fronts, forecasts by the hour for a city.',
      tags: ['weather', 'radar'],
    },
    '1500',
  )
  const geocoder = await publish(alice, 0, { name: 'geocoder', tags: ['maps'] })
  await publishVersion(alice, {
    address,
    toolId: geocoder.toolId,
    manifest: chain.manifest(0, {
      name: 'geocoder',
      description: 'Turns street addresses into coordinates, now with reverse lookups.',
      tags: ['maps'],
      version: '2.0.0',
    }),
  })
  // A new version announced by URI only: no bytes for it, so no_manifest.
  await chain.raw(0, 'updateToolMetadata', [
    geocoder.toolId,
    'https://tools.example.com/.well-known/ai-tool/geocoder-3.json',
    keccak256(toHex('geocoder three')),
  ])
  const paused = await publish(alice, 0, { name: 'paused-oracle', tags: ['pausable'] })
  await setAccess(alice, { address, toolId: paused.toolId, predicate: alwaysDenyPredicate })
  const reopened = await publish(bob, 1, { name: 'reopened-oracle', tags: ['pausable'] })
  await setAccess(bob, { address, toolId: reopened.toolId, predicate: alwaysDenyPredicate })
  await setAccess(bob, { address, toolId: reopened.toolId, predicate: null })
  const retired = await publish(alice, 0, { name: 'retired', tags: ['retired'] })
  await deregisterTool(alice, { address, toolId: retired.toolId })

  const twin = chain.manifest(0, { name: 'twin-tool', tags: ['twin'] })
  await publishTool(alice, { address, manifest: twin })
  await publishTool(alice, { address, manifest: twin })
  const twinBytes = canonicalBytes(twin)
  await chain.raw(1, 'registerToolWithManifest', [
    'https://tools.example.com/.well-known/ai-tool/twin.json',
    keccak256(twinBytes),
    zeroAddress,
    toHex(twinBytes),
  ])

  const raw = (text: string, uri = 'https://tools.example.com/.well-known/ai-tool/raw.json') =>
    chain.raw(0, 'registerToolWithManifest', [
      uri,
      keccak256(stringToHex(text)),
      zeroAddress,
      stringToHex(text),
    ])
  const good = chain.manifest(0, { name: 'steady', tags: ['robust'] })
  await raw('this is not json {\u0000')
  await raw(JSON.stringify({ ...good, name: 'robust schema', tags: ['ROBUST'] }))
  await raw(JSON.stringify(good, null, 2))
  await raw(new TextDecoder().decode(canonicalBytes(chain.manifest(1, { tags: ['robust'] }))))
  await chain.raw(0, 'registerTool', [
    'https://tools.example.com/.well-known/ai-tool/uri\u0000only.json',
    keccak256(toHex('served elsewhere')),
    zeroAddress,
  ])

  const card = (wallet: Wallet, name: string) =>
    registerAgent(wallet, {
      address,
      card: {
        type: agentCardType,
        name,
        endpoint: 'http://127.0.0.1:9000',
        address: wallet.account.address.toLowerCase(),
        chain: 'eip155:31337',
      },
    })
  await card(bob, 'Bob the translator')
  await card(bob, 'Bob, translator and forecaster')
  await card(alice, 'Alice')
  return chain.raw(0, 'clearAgentCard', [])
}

/** The searches an agent makes, and some it might: every filter, alone and together. */
export function queries(chain: TestChain): SearchParameters[] {
  const asset = toErc20Caip19(31337, chain.devnet.deployments!.contracts.gotongToken)
  const bob = chain.wallets[1]!.account.address
  return [
    {},
    { limit: 100, includeUnverified: true },
    { limit: 100, includeUnverified: true, includeDeregistered: true },
    { text: 'weather' },
    { text: 'weather forecast' },
    { text: 'Forecasts!' },
    { text: 'translat' },
    { text: 'languages tone' },
    { text: 'city', includeUnverified: true },
    { text: 'spaceship' },
    { text: 'weather', limit: 1 },
    { tags: ['twin'] },
    { tags: ['twin'], includeUnverified: true },
    { tags: ['weather', 'forecast'] },
    { tags: ['pausable'], accessibleTo: bob },
    { tags: ['retired'], includeDeregistered: true },
    { maxPrice: 1000n, asset },
    { asset: 'eip155:1/erc20:0x833589fcd6edb6e08f4c7c32d4f71b54bda02913' },
    { creator: bob },
    { text: 'weather', creator: bob, requirements: false },
    { accessibleTo: bob, limit: 100 },
  ]
}

/** Deep equality as JSON (bigints as strings, keys sorted, undefined dropped). */
export function asJson(value: unknown): string {
  return JSON.stringify(value, (_, v) => {
    if (typeof v === 'bigint') return `${v}n`
    if (v && typeof v === 'object' && !Array.isArray(v))
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
    return v
  })
}

/** Every query's answer, and every tool's listing (one past the last: none). */
export async function answers(index: DirectoryIndex, chain: TestChain) {
  const searches = await Promise.all(queries(chain).map((q) => index.search(q)))
  const all = await index.search({ limit: 100, includeUnverified: true, includeDeregistered: true })
  const last = Math.max(0, ...all.flatMap((r) => r.offers).map((o) => Number(o.toolId)))
  const listings = await Promise.all(
    Array.from({ length: last + 1 }, (_, i) => index.getListing(i + 1)),
  )
  return { searches, listings }
}
