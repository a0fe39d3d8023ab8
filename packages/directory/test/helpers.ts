import { createClients, type Deployments } from '@gotong/chain'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { toolDirectoryAbi } from '@gotong/contracts'
import { gotongChannelProtocol, gotongTermsKey, toCaip10, toErc20Caip19 } from '@gotong/core'
import {
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  custom,
  type Hex,
  http,
  keccak256,
  type PublicClient,
  stringToHex,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
  zeroAddress,
} from 'viem'
import { waitForTransactionReceipt, writeContract } from 'viem/actions'

type Wallet = WalletClient<Transport, Chain, Account>

export type TestChain = {
  devnet: Devnet
  deployments: Deployments
  directory: Address
  publicClient: Devnet['publicClient']
  wallets: Wallet[]
  raw(
    wallet: number,
    functionName:
      | 'registerTool'
      | 'registerToolWithManifest'
      | 'updateToolMetadata'
      | 'updateToolMetadataWithManifest',
    args: readonly unknown[],
  ): Promise<TransactionReceipt>
  registerBytes(wallet: number, bytes: Uint8Array | string): Promise<TransactionReceipt>
}

/** A devnet with gotong deployed and a wallet client per funded account. */
export async function startTestChain(): Promise<TestChain> {
  const devnet: Devnet = await startDevnet({ accounts: 4 })
  const deployments = devnet.deployments!
  const wallets = devnet.accounts.map(
    (account) =>
      createClients({
        rpcUrl: devnet.rpcUrl,
        chainId: devnet.chainId,
        privateKey: account.privateKey,
      }).walletClient!,
  )
  const chain: TestChain = {
    devnet,
    deployments,
    directory: deployments.contracts.toolDirectory,
    publicClient: devnet.publicClient,
    wallets,
    /** Sends a raw directory call (bypassing the SDK's checks) and waits for it. */
    async raw(wallet, functionName, args) {
      const client = wallets[wallet]!
      const hash = await writeContract(client, {
        address: deployments.contracts.toolDirectory,
        abi: toolDirectoryAbi,
        functionName,
        args,
      } as never)
      const receipt = await waitForTransactionReceipt(client, { hash })
      if (receipt.status !== 'success') throw new Error(`${functionName} reverted`)
      return receipt
    },
    /** Registers arbitrary bytes as a tool's manifest, as the contract allows (hash = keccak(bytes)). */
    async registerBytes(wallet, bytes) {
      const hex =
        typeof bytes === 'string'
          ? stringToHex(bytes)
          : (`0x${Buffer.from(bytes).toString('hex')}` as Hex)
      return chain.raw(wallet, 'registerToolWithManifest', [
        'https://tools.example.com/.well-known/ai-tool/raw.json',
        keccak256(hex),
        zeroAddress,
        hex,
      ])
    },
  }
  return chain
}

/** A valid gotong manifest on the devnet, created by `creator`. */
export function manifestFor(
  chain: TestChain,
  creator: Address,
  overrides: Record<string, unknown> = {},
  price = '2000',
) {
  const { chainId } = chain.devnet
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
        asset: toErc20Caip19(chainId, chain.deployments.contracts.gotongToken),
        recipient: toCaip10(chainId, creator),
        protocol: gotongChannelProtocol,
      },
    ],
    [gotongTermsKey]: {
      version: 1,
      channels: toCaip10(chainId, chain.deployments.contracts.paymentChannels),
    },
    ...overrides,
  }
}

/** JSON-RPC calls seen by a transport, for assertions on what the index asked. */
export type RpcCall = { method: string; params: unknown }

/**
 * An http transport that records every request and, like real providers, refuses
 * `eth_getLogs` spanning more than `maxLogRange` blocks.
 */
export function recordingClient(
  rpcUrl: string,
  options: { maxLogRange?: bigint; fail?: (method: string) => boolean } = {},
): { client: PublicClient; calls: RpcCall[]; getLogsRanges(): (readonly [bigint, bigint])[] } {
  const calls: RpcCall[] = []
  const inner = http(rpcUrl, { retryCount: 0 })({ retryCount: 0 })
  const transport = custom(
    {
      async request({ method, params }: { method: string; params?: unknown }) {
        calls.push({ method, params })
        if (options.fail?.(method)) throw { code: -32603, message: 'upstream connect error' }
        if (method === 'eth_getLogs' && options.maxLogRange !== undefined) {
          const [filter] = params as [{ fromBlock: Hex; toBlock: Hex }]
          const span = BigInt(filter.toBlock) - BigInt(filter.fromBlock) + 1n
          if (span > options.maxLogRange)
            throw { code: -32005, message: `query exceeds max block range ${options.maxLogRange}` }
        }
        return inner.request({ method, params } as never)
      },
    },
    { retryCount: 0 },
  )
  const client = createPublicClient({ transport, pollingInterval: 50 })
  const getLogsRanges = () =>
    calls
      .filter((c) => c.method === 'eth_getLogs')
      .map((c) => {
        const [filter] = c.params as [{ fromBlock: Hex; toBlock: Hex }]
        return [BigInt(filter.fromBlock), BigInt(filter.toBlock)] as const
      })
  return { client, calls, getLogsRanges }
}
