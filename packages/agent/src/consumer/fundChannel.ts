import type { Proposal, SignedAgreement } from '@gotong/core'
import type { Budget, PayerChannel } from '@gotong/payments'
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
 * Funds an agreement: binds it to this agent's open channel with its provider when that
 * channel has room for it, else opens a new channel (one transaction, EIP-2612 permit) and
 * binds that. A channel has room when what its deposit has not yet paid out covers the
 * provider's minimum deposit and one call at the new price: the deposit caps what the
 * channel's agreements may draw together, while the budgets still bind every call. A
 * channel whose deposit runs short for a call is left to its earlier agreements, and the
 * next agreement opens a new one. A new deposit is never more than the budget could ever pay
 * out: whole calls of what remains of it (the provider's minimum deposit still applies).
 *
 * @returns the channel's id.
 */
export async function fundChannel(
  consumer: ConsumerContext,
  parameters: FundChannelParameters,
): Promise<Hex> {
  const { proposal, agreement, routeBase } = parameters
  const { state } = consumer
  // Chosen in the wallet's queue: the second of two agreements agreed at once with one
  // provider finds the channel the first opened there.
  const queued = <T>(work: () => Promise<T>) => {
    const run = state.chainQueue.then(work)
    state.chainQueue = run.catch(() => undefined)
    return run
  }
  const found = await queued(async () => {
    const shared = withRoom(consumer, proposal)
    return shared ? { shared } : { opened: await open(consumer, parameters) }
  })
  if (found.shared) {
    const bound = await bind(consumer, proposal, agreement, routeBase, found.shared.key).then(
      () => true,
      // Refused (the provider lost track of it, say): a channel of its own, as before.
      () => false,
    )
    if (bound) return found.shared.channelId
  }
  const opened = found.opened ?? (await queued(() => open(consumer, parameters)))
  await bind(consumer, proposal, agreement, routeBase, opened.key)
  return opened.channelId
}

/** The newest open channel to this proposal's provider, in its token, with room for it. */
function withRoom(consumer: ConsumerContext, proposal: Proposal): PayerChannel | undefined {
  const price = proposal.terms.pricePerCall
  const need = proposal.channel.minDeposit > price ? proposal.channel.minDeposit : price
  const payee = proposal.payee.toLowerCase()
  const token = proposal.terms.token.toLowerCase()
  return consumer.payer
    .listChannels()
    .filter(
      (c) =>
        c.status === 'open' &&
        c.channels.toLowerCase() === consumer.channels.toLowerCase() &&
        c.key.payee.toLowerCase() === payee &&
        c.key.token.toLowerCase() === token &&
        c.deposit - c.cumulative >= need,
    )
    .at(-1)
}

async function open(consumer: ConsumerContext, parameters: FundChannelParameters) {
  const { proposal, calls, budget } = parameters
  const price = proposal.terms.pricePerCall
  const left = budget?.remaining()
  const affordable = left === undefined || price === 0n ? undefined : (left / price) * price
  const full = price * calls
  const wanted = affordable !== undefined && affordable < full ? affordable : full
  const floor = proposal.channel.minDeposit > 0n ? proposal.channel.minDeposit : 1n
  const deposit = wanted > floor ? wanted : floor
  const opened = await openChannel(consumer.wallet, consumer.publicClient, {
    channels: consumer.channels,
    payee: proposal.payee,
    token: proposal.terms.token,
    deposit,
    challengePeriod: consumer.challengePeriod ?? 3_600,
  })
  consumer.payer.trackChannel({ key: opened.key, deposit })
  consumer.onEvent?.({
    type: 'channel',
    toolId: proposal.tool.toolId,
    provider: proposal.payee,
    channelId: opened.channelId,
    deposit,
  })
  return opened
}

function bind(
  consumer: ConsumerContext,
  proposal: Proposal,
  agreement: SignedAgreement,
  routeBase: string,
  key: PayerChannel['key'],
) {
  return consumer.transport.request(proposal.payee, `${routeBase}/fund`, {
    termsHash: agreement.termsHash,
    key,
  })
}
