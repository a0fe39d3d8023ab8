import { testNetworkHost } from '@gotong/core'
import { type Chain, createPublicClient, createWalletClient, defineChain, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Connection, ConnectParameters } from './connection.js'

/** Parameters of `createClients`. */
export type CreateClientsParameters = Omit<ConnectParameters, 'deployments'> & { chainId: number }

/**
 * viem clients for a chain, without checking any deployment (use it to deploy). Loopback URLs
 * (and those of the test network `GOTONG_TEST_NETWORK` declares) poll fast and never retry;
 * remote ones poll every 2 s and retry three times.
 *
 * @example const { walletClient, publicClient } = createClients({ rpcUrl, chainId: 31337, privateKey })
 */
export function createClients(
  parameters: CreateClientsParameters,
): Omit<Connection, 'deployments'> {
  const chain = parameters.chain ?? chainFor(parameters.chainId, parameters.rpcUrl)
  const isLoopback =
    /^https?:\/\/(127\.|localhost|\[::1\])/.test(parameters.rpcUrl) ||
    (URL.canParse(parameters.rpcUrl) && testNetworkHost(new URL(parameters.rpcUrl).hostname))
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
