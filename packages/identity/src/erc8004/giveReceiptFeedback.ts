import { receiptFeedbackGatewayAbi } from '@gotong/contracts'
import type { Agreement, Receipt } from '@gotong/core'
import { type Address, type Hash, type Hex, parseEventLogs, zeroHash } from 'viem'
import { Erc8004Error } from './errors.js'
import { type Erc8004WalletClient, transact } from './internal/transact.js'

/** What a client says about a paid call: a signed fixed-point value and optional pointers. */
export type FeedbackContent = {
  /** The rating, e.g. 0–100 with `valueDecimals` 0. */
  value: bigint
  valueDecimals?: number | undefined
  /** The endpoint rated (the tool's). */
  endpoint?: string | undefined
  /** An off-chain feedback file, and its keccak256 (not needed for content-addressed URIs). */
  feedbackURI?: string | undefined
  feedbackHash?: Hex | undefined
}

/** A channel's key, as `PaymentChannels` derives its id from it. */
export type FeedbackChannelKey = {
  payer: Address
  payee: Address
  token: Address
  challengePeriod: number | bigint
  salt: Hex
}

export type GiveReceiptFeedbackParameters = {
  /** The ReceiptFeedbackGateway. */
  gateway: Address
  agentId: bigint
  feedback: FeedbackContent
  /** The key of the channel the call was paid through (its payer is the sender). */
  key: FeedbackChannelKey
  /** The agreement the call was made under: its EIP-712 hash is the receipt's `termsHash`. */
  agreement: Agreement
  /** The agent's receipt of the call, signed by its wallet. */
  receipt: { receipt: Receipt; signature: Hex }
}

export type GiveReceiptFeedbackReturnType = {
  /** The feedback's index under the gateway's client address in the reputation registry. */
  feedbackIndex: bigint
  /** What the receipt newly paid (above the channel's earlier feedback): what this feedback stands for. */
  amount: bigint
  toolId: bigint
  transactionHash: Hash
  gasUsed: bigint
}

/**
 * Gives ERC-8004 feedback through the receipt gateway, which files it with the reputation
 * registry as its own client only if the receipt proves the sender paid the agent: signed by
 * the agent's wallet, for the sender's funded channel to that wallet, above what the channel's
 * earlier feedback counted. A refusal is `FEEDBACK_REFUSED` with the gateway's error as
 * `reason` (`ReceiptAlreadyCounted`, `InvalidReceiptSignature`, `ReceiptExceedsChannel`, …).
 *
 * @example
 * await giveReceiptFeedback(wallet, { gateway, agentId, feedback: { value: 95n },
 *   key: channel.key, agreement: signed.agreement, receipt: result.receipt })
 */
export async function giveReceiptFeedback(
  client: Erc8004WalletClient,
  parameters: GiveReceiptFeedbackParameters,
): Promise<GiveReceiptFeedbackReturnType> {
  const { gateway, agentId, feedback, key, agreement, receipt } = parameters
  const transaction = await transact(client, {
    address: gateway,
    abi: receiptFeedbackGatewayAbi,
    functionName: 'giveFeedback',
    args: [
      agentId,
      {
        value: feedback.value,
        valueDecimals: feedback.valueDecimals ?? 0,
        endpoint: feedback.endpoint ?? '',
        feedbackURI: feedback.feedbackURI ?? '',
        feedbackHash: feedback.feedbackHash ?? zeroHash,
      },
      { ...key, challengePeriod: BigInt(key.challengePeriod) },
      agreement,
      receipt.receipt,
      receipt.signature,
    ],
    action: `give feedback to agent ${agentId}`,
    code: 'FEEDBACK_REFUSED',
  })
  const [given] = parseEventLogs({
    abi: receiptFeedbackGatewayAbi,
    eventName: 'PaidFeedback',
    logs: transaction.logs.filter((l) => l.address.toLowerCase() === gateway.toLowerCase()),
  })
  if (!given)
    throw new Erc8004Error('FEEDBACK_REFUSED', `${gateway} emitted no PaidFeedback event.`)
  return {
    feedbackIndex: given.args.feedbackIndex,
    amount: given.args.amount,
    toolId: given.args.toolId,
    transactionHash: transaction.transactionHash,
    gasUsed: transaction.gasUsed,
  }
}
