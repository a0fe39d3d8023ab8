import type { Deployments } from '@gotong/chain'
import { findAgentIds, readReputation } from '@gotong/identity'
import type { Address, PublicClient } from 'viem'

/** A provider's ERC-8004 identity and paid reputation once the job is done. */
export type ProviderReputation = {
  name: string
  address: Address
  /** Its agent id; undefined if it never registered. */
  agentId: bigint | undefined
  /** Feedback through the receipt gateway: one per channel rated. */
  feedbacks: bigint
  /** Their average, 0–100 (`getSummary` over the gateway). */
  average: bigint
  /** What was paid for the calls behind that feedback. */
  paid: bigint
}

/**
 * Each provider's agent (the one whose wallet it is) and its reputation from paid calls only:
 * the ERC-8004 summary over the receipt gateway's feedback.
 */
export async function swarmReputation(
  publicClient: PublicClient,
  deployments: Deployments,
  providers: readonly { name: string; address: Address }[],
): Promise<ProviderReputation[]> {
  const { identityRegistry, reputationRegistry, receiptFeedbackGateway } = deployments.contracts
  if (!identityRegistry || !reputationRegistry || !receiptFeedbackGateway) return []
  const fromBlock = BigInt(deployments.startBlock)
  return Promise.all(
    providers.map(async ({ name, address }) => {
      const [agentId] = await findAgentIds(publicClient, {
        identityRegistry,
        wallet: address,
        fromBlock,
      })
      if (agentId === undefined)
        return { name, address, agentId, feedbacks: 0n, average: 0n, paid: 0n }
      const { summary, paid } = await readReputation(publicClient, {
        reputationRegistry,
        gateway: receiptFeedbackGateway,
        agentId,
      })
      // The swarm's feedback is 0–100 at 0 decimals.
      return {
        name,
        address,
        agentId,
        feedbacks: summary.count,
        average: summary.value / 10n ** BigInt(summary.decimals),
        paid: paid.amount,
      }
    }),
  )
}
