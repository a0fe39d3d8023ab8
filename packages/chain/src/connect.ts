import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { type Deployments, parseDeployments } from './deployments.js'
import { RpcUnreachableError } from './errors.js'

/** Parameters of `connect`. */
export type ConnectParameters = {
  rpcUrl: string
  /** Deployments for this chain: checked against the node's chain id. */
  deployments: Deployments
  /** Signs transactions; omit for a read-only connection. */
  account?: Account | undefined
  privateKey?: Hex | undefined
  /** Chain definition; by default one is built from the node's chain id. */
  chain?: Chain | undefined
  /** Receipt polling interval; small on loopback, where blocks are instant. */
  pollingInterval?: number | undefined
}

/** A connection to a chain where gotong is deployed. */
export type Connection = {
  chain: Chain
  deployments: Deployments
  publicClient: PublicClient<Transport, Chain>
  /** Present when an account or private key was given. */
  walletClient: WalletClient<Transport, Chain, Account> | undefined
}

/**
 * Connects to any EVM chain where gotong is deployed: checks the node answers and that the
 * deployments belong to its chain, then returns viem clients.
 *
 * @throws RpcUnreachableError, DeploymentsChainMismatchError
 * @example const { publicClient, walletClient } = await connect({ rpcUrl, privateKey, deployments })
 */
export async function connect(parameters: ConnectParameters): Promise<Connection> {
  const chainId = await getChainId(parameters.rpcUrl)
  const deployments = parseDeployments(parameters.deployments, { chainId })
  return { ...createClients({ ...parameters, chainId }), deployments }
}

/** Parameters of `createClients`. */
export type CreateClientsParameters = Omit<ConnectParameters, 'deployments'> & { chainId: number }

/**
 * viem clients for a chain, without checking any deployment (use it to deploy). Loopback URLs
 * poll fast and never retry; remote ones poll every 2 s and retry three times.
 *
 * @example const { walletClient, publicClient } = createClients({ rpcUrl, chainId: 31337, privateKey })
 */
export function createClients(
  parameters: CreateClientsParameters,
): Omit<Connection, 'deployments'> {
  const chain = parameters.chain ?? chainFor(parameters.chainId, parameters.rpcUrl)
  const isLoopback = /^https?:\/\/(127\.|localhost|\[::1\])/.test(parameters.rpcUrl)
  const pollingInterval = parameters.pollingInterval ?? (isLoopback ? 25 : 2_000)
  const transport = http(parameters.rpcUrl, { retryCount: isLoopback ? 0 : 3 })
  const account =
    parameters.account ??
    (parameters.privateKey ? privateKeyToAccount(parameters.privateKey) : undefined)
  return {
    chain,
    publicClient: createPublicClient({ chain, transport, pollingInterval }),
    walletClient: account
      ? createWalletClient({ chain, transport, account, pollingInterval })
      : undefined,
  }
}

/**
 * Asks a node for its chain id, with a clear error when nothing answers.
 *
 * @throws RpcUnreachableError
 */
export async function getChainId(rpcUrl: string, timeoutMs = 5_000): Promise<number> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    const body = (await response.json()) as { result?: unknown }
    if (typeof body.result !== 'string' || !/^0x[0-9a-f]+$/i.test(body.result))
      throw new Error(`unexpected eth_chainId answer: ${JSON.stringify(body).slice(0, 200)}`)
    return Number.parseInt(body.result, 16)
  } catch (cause) {
    throw new RpcUnreachableError(rpcUrl, cause)
  }
}

/** A viem chain definition for a chain id at an RPC URL (31337 is named as gotong's devnet). */
export function chainFor(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: chainId === 31337 ? 'gotong devnet' : `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
    testnet: chainId === 31337 || chainId === 1337,
  })
}
