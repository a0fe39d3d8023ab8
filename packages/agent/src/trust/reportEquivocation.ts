import { providerStakeAbi } from '@gotong/contracts'
import type { ChannelWallet } from '@gotong/payments/payer'
import { type Address, type Hex, type PublicClient, parseEventLogs } from 'viem'
import { AgentError } from '../errors.js'
import type { Equivocation } from './evidenceStore.js'
import { revertReasonOf } from './sendContractTransaction.js'

export type ReportEquivocationParameters = {
  /** The ProviderStake contract (`deployments.contracts.providerStake`). */
  providerStake: Address
  equivocation: Equivocation
}

export type ReportEquivocationReturnType = {
  transactionHash: Hex
  provider: Address
  /** What was taken from the provider's stake. */
  slashed: bigint
  /** The share paid to the agreement's consumer. */
  reward: bigint
  consumer: Address
}

export type ReportEquivocationErrorType = AgentError

/**
 * Takes an equivocation on chain: `slashEquivocation` checks both receipts' signatures against
 * the agreement's provider and slashes its stake; the agreement's consumer is paid its share,
 * whoever sends the transaction. A refusal (`NotDeterministic`, `AlreadySlashed`,
 * `NothingToSlash`, …) is `EQUIVOCATION_REFUSED` with the contract's error name in `data.reason`.
 *
 * @example
 * const { slashed, reward } = await reportEquivocation({ walletClient, publicClient }, { providerStake, equivocation })
 */
export async function reportEquivocation(
  clients: { walletClient: ChannelWallet; publicClient: PublicClient },
  { providerStake, equivocation }: ReportEquivocationParameters,
): Promise<ReportEquivocationReturnType> {
  const { walletClient, publicClient } = clients
  const { agreement, first, second } = equivocation
  const args = [
    agreement,
    first.receipt,
    first.signature,
    second.receipt,
    second.signature,
  ] as const
  let transactionHash: Hex
  try {
    const { request } = await publicClient.simulateContract({
      address: providerStake,
      abi: providerStakeAbi,
      functionName: 'slashEquivocation',
      args,
      account: walletClient.account,
    })
    transactionHash = await walletClient.writeContract({ ...request, chain: walletClient.chain })
  } catch (error) {
    throw refusal(agreement.provider, error)
  }
  const receipt = await publicClient.waitForTransactionReceipt({ hash: transactionHash })
  const [slash] = parseEventLogs({
    abi: providerStakeAbi,
    logs: receipt.logs,
    eventName: 'Slashed',
  })
  if (receipt.status !== 'success' || !slash)
    throw new AgentError(
      'EQUIVOCATION_REFUSED',
      `The report against ${agreement.provider} was mined but slashed nothing (${transactionHash}).`,
    )
  return {
    transactionHash,
    provider: slash.args.provider,
    slashed: slash.args.slashed,
    reward: slash.args.reward,
    consumer: slash.args.consumer,
  }
}

function refusal(provider: Address, error: unknown): AgentError {
  const reason = revertReasonOf(error)
  return new AgentError(
    'EQUIVOCATION_REFUSED',
    `ProviderStake refused the report against ${provider}${reason ? `: ${reason}` : ''}.`,
    { cause: error as Error, data: { ...(reason ? { reason } : {}) } },
  )
}
