import { receiptFeedbackGatewayAbi, reputationRegistryAbi } from '@gotong/contracts'
import type { Address, Client } from 'viem'
import { readContract } from 'viem/actions'
import { toErc8004Error } from './internal/transact.js'

export type ReadReputationParameters = {
  reputationRegistry: Address
  /** The ReceiptFeedbackGateway: only its feedback (paid calls) is read. */
  gateway: Address
  agentId: bigint
  /** One tool's reputation (the gateway's tag1 is the tool id); every tool's by default. */
  toolId?: bigint | undefined
}

/** An average as the registries return it: `value / 10^decimals`. */
export type ReputationValue = { value: bigint; decimals: number }

export type ReadReputationReturnType = {
  agentId: bigint
  /** The registry's `getSummary(agentId, [gateway], tool, "paid")`: one vote per paid feedback. */
  summary: ReputationValue & { count: bigint }
  /** The gateway's `getPaidSummary`: the total paid behind that feedback, and the average weighted by it. */
  paid: ReputationValue & { count: bigint; amount: bigint }
}

/**
 * An agent's paid reputation: the ERC-8004 summary over the receipt gateway's feedback only
 * (every entry backed by a payment), and the same feedback weighted by what was paid.
 *
 * @example const { summary, paid } = await readReputation(publicClient, { reputationRegistry, gateway, agentId })
 */
export async function readReputation(
  client: Client,
  parameters: ReadReputationParameters,
): Promise<ReadReputationReturnType> {
  const { agentId, gateway } = parameters
  const tag1 = parameters.toolId === undefined ? '' : parameters.toolId.toString()
  try {
    const [[count, value, decimals], [paidCount, amount, paidValue, paidDecimals]] =
      await Promise.all([
        readContract(client, {
          address: parameters.reputationRegistry,
          abi: reputationRegistryAbi,
          functionName: 'getSummary',
          args: [agentId, [gateway], tag1, 'paid'],
        }),
        readContract(client, {
          address: gateway,
          abi: receiptFeedbackGatewayAbi,
          functionName: 'getPaidSummary',
          args: [agentId, tag1],
        }),
      ])
    return {
      agentId,
      summary: { count, value, decimals },
      paid: { count: paidCount, amount, value: paidValue, decimals: paidDecimals },
    }
  } catch (error) {
    throw toErc8004Error(error, 'ERC8004_REVERTED', `read the reputation of agent ${agentId}`)
  }
}
