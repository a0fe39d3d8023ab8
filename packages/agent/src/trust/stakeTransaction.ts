import { providerStakeAbi } from '@gotong/contracts'
import type { ChannelWallet } from '@gotong/payments/payer'
import type { Address, Hex, PublicClient } from 'viem'
import type { AgentContext } from '../agent/agentContext.js'
import { AgentError } from '../errors.js'
import { revertReasonOf, sendContractTransaction } from './sendContractTransaction.js'

/**
 * What the stake actions need: a wallet that signs, a client that reads, the deployment's
 * token and ProviderStake, and optionally the wallet's transaction queue (one nonce sequence).
 */
export type StakeClient = {
  walletClient: ChannelWallet
  publicClient: PublicClient
  contracts: { gotongToken: Address; providerStake?: Address | undefined }
  queue?: (<T>(transaction: () => Promise<T>) => Promise<T>) | undefined
}

/** An agent's stake client: its wallet, its reads and its transaction queue. */
export function stakeClientOf(agent: AgentContext): StakeClient {
  return {
    walletClient: agent.wallet,
    publicClient: agent.publicClient,
    contracts: agent.contracts,
    queue: (transaction) => agent.consumer.queue(transaction),
  }
}

/** The deployment's ProviderStake, or `STAKE_UNAVAILABLE` where none is deployed. */
export function providerStakeOf(client: StakeClient): Address {
  const address = client.contracts.providerStake
  if (!address)
    throw new AgentError(
      'STAKE_UNAVAILABLE',
      'This deployment has no ProviderStake contract (deployments.contracts.providerStake).',
    )
  return address
}

type StakeFunction = 'stake' | 'requestWithdrawal' | 'withdraw' | 'declareDeterministic'

/**
 * Sends one ProviderStake transaction from the agent's wallet, in its transaction queue, and
 * waits for it; a revert is `STAKE_REFUSED` with the contract's error name in `data.reason`.
 */
export async function stakeTransaction(
  client: StakeClient,
  functionName: StakeFunction,
  args: readonly unknown[],
): Promise<Hex> {
  const address = providerStakeOf(client)
  return inQueue(client, () =>
    sendContractTransaction(
      client,
      { address, abi: providerStakeAbi, functionName, args },
      {
        refused: (error) => refused(functionName, error),
        reverted: (hash) =>
          new AgentError('STAKE_REFUSED', `ProviderStake.${functionName} reverted (${hash}).`),
      },
    ),
  )
}

/** Runs a transaction in the client's queue, or at once without one. */
export function inQueue<T>(client: StakeClient, transaction: () => Promise<T>): Promise<T> {
  return client.queue ? client.queue(transaction) : transaction()
}

function refused(functionName: StakeFunction, error: unknown): AgentError {
  const reason = revertReasonOf(error)
  return new AgentError(
    'STAKE_REFUSED',
    `ProviderStake refused ${functionName}${reason ? `: ${reason}` : ''}.`,
    { cause: error as Error, data: { ...(reason ? { reason } : {}) } },
  )
}
