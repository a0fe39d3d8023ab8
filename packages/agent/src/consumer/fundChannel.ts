import type { Proposal, SignedAgreement } from '@gotong/core'
import type { Budget } from '@gotong/payments'
import { openChannel } from '@gotong/payments/payer'
import type { Hex } from 'viem'
import type { ConsumerContext } from './consumerState.js'

export type FundChannelParameters = {
  proposal: Proposal
  agreement: SignedAgreement
  /** Calls to fund the channel for. */
  calls: bigint
  budget: Budget | undefined
  /** Where the provider serves the tool: the `fund` route is under it. */
  routeBase: string
}

/**
 * Opens a channel for an agreement (one transaction, EIP-2612 permit) and binds it at the
 * provider. The deposit is locked, not spent, but never more than the budget could ever pay
 * out: whole calls of what remains of it (the provider's minimum deposit still applies).
 *
 * @returns the new channel's id.
 */
export async function fundChannel(
  consumer: ConsumerContext,
  { proposal, agreement, calls, budget, routeBase }: FundChannelParameters,
): Promise<Hex> {
  const { state } = consumer
  const price = proposal.terms.pricePerCall
  const left = budget?.remaining()
  const affordable = left === undefined || price === 0n ? undefined : (left / price) * price
  const full = price * calls
  const wanted = affordable !== undefined && affordable < full ? affordable : full
  const floor = proposal.channel.minDeposit > 0n ? proposal.channel.minDeposit : 1n
  const deposit = wanted > floor ? wanted : floor
  const opening = state.chainQueue.then(() =>
    openChannel(consumer.wallet, consumer.publicClient, {
      channels: consumer.channels,
      payee: proposal.payee,
      token: proposal.terms.token,
      deposit,
      challengePeriod: consumer.challengePeriod ?? 3_600,
    }),
  )
  state.chainQueue = opening.catch(() => undefined)
  const opened = await opening
  consumer.payer.trackChannel({ key: opened.key, deposit })
  consumer.onEvent?.({
    type: 'channel',
    toolId: proposal.tool.toolId,
    provider: proposal.payee,
    channelId: opened.channelId,
    deposit,
  })
  await consumer.transport.request(proposal.payee, `${routeBase}/fund`, {
    termsHash: agreement.termsHash,
    key: opened.key,
  })
  return opened.channelId
}
