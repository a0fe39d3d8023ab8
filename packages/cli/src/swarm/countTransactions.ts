import type { Deployments } from '@gotong/chain'
import {
  paymentChannelsAbi,
  providerStakeAbi,
  receiptFeedbackGatewayAbi,
  toolDirectoryAbi,
} from '@gotong/contracts'
import { type Abi, type Address, decodeFunctionData, type Hex, type PublicClient } from 'viem'

/** The transactions mined in a span of blocks: how many, and how many of each kind. */
export type TransactionCount = {
  total: number
  /** `contract.function` (e.g. `paymentChannels.openWithPermit`) → how many. */
  byKind: Record<string, number>
}

/**
 * Counts the transactions mined after block `from` up to block `to`, each named by the gotong
 * contract and function it called: how many the job cost on chain, and what for.
 */
export async function countTransactions(
  client: PublicClient,
  deployments: Deployments,
  from: bigint,
  to: bigint,
): Promise<TransactionCount> {
  const known: [Address | undefined, string, Abi][] = [
    [deployments.contracts.paymentChannels, 'paymentChannels', paymentChannelsAbi],
    [deployments.contracts.toolDirectory, 'toolDirectory', toolDirectoryAbi],
    [
      deployments.contracts.receiptFeedbackGateway,
      'receiptFeedbackGateway',
      receiptFeedbackGatewayAbi,
    ],
    [deployments.contracts.providerStake, 'providerStake', providerStakeAbi],
  ]
  const byKind: Record<string, number> = {}
  let total = 0
  for (let n = from + 1n; n <= to; n++) {
    const block = await client.getBlock({ blockNumber: n, includeTransactions: true })
    for (const tx of block.transactions) {
      total++
      const kind = nameOf(known, tx.to ?? undefined, tx.input)
      byKind[kind] = (byKind[kind] ?? 0) + 1
    }
  }
  return { total, byKind }
}

function nameOf(known: [Address | undefined, string, Abi][], to: Address | undefined, input: Hex) {
  if (!to) return 'deploy'
  const entry = known.find(([address]) => address?.toLowerCase() === to.toLowerCase())
  if (!entry) return 'other'
  try {
    return `${entry[1]}.${decodeFunctionData({ abi: entry[2], data: input }).functionName}`
  } catch {
    return `${entry[1]}.unknown`
  }
}
