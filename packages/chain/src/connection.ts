// The types connect and createClients share, apart so that only connect imports createClients.
import type { Account, Chain, Hex, PublicClient, Transport, WalletClient } from 'viem'
import type { Deployments } from './deployments.js'

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
