import { type Budget, BudgetExceededError, ChannelError } from '@gotong/payments'
import type { IssuedVoucher } from '@gotong/payments/payer'
import type { Hex } from 'viem'
import type { ConsumerContext } from './consumerState.js'
import type { Relationship } from './types.js'

/**
 * The voucher paying for one call through a relationship: one an earlier process left
 * unanswered if there is one (it goes out first, so nothing newer is signed past it), else a
 * newly signed one for the agreed price. Either way it is held against every budget that
 * applies to this call, wherever its channel came from: the call's own (or its toolkit's), the
 * agent's (the payer's own), and the agreement's cap of price × calls. It is signed for
 * `envelopeHash`, the request it goes out with.
 */
export async function issueVoucher(
  consumer: ConsumerContext,
  relationship: Relationship,
  requestHash: Hex,
  callBudget: Budget | undefined,
  envelopeHash: Hex,
): Promise<IssuedVoucher> {
  const { agreement, termsHash } = relationship.agreement
  const budget = (callBudget ?? consumer.budget)?.child(termsHash, {
    max: agreement.pricePerCall * (agreement.maxCalls || 2n ** 64n),
  })
  // A shared channel's carried vouchers name their agreements: each goes out with a call of its own.
  const carried = consumer.state.carried.get(relationship.channelId)
  const left = carried?.find((v) => v.termsHash === termsHash.toLowerCase())
  try {
    if (left) {
      const resumed = consumer.payer.resume(left, budget ? { budget } : {})
      let issued: IssuedVoucher
      try {
        issued = await consumer.payer.bindVoucher(resumed, envelopeHash)
      } catch (error) {
        resumed.reservation.release()
        throw error
      }
      // Taken off the queue only once it goes out: a refusal leaves it for the next call.
      carried!.splice(carried!.indexOf(left), 1)
      if (carried!.length === 0) consumer.state.carried.delete(relationship.channelId)
      return issued
    }
    return await consumer.payer.createVoucher({
      channelId: relationship.channelId,
      termsHash,
      amount: agreement.pricePerCall,
      requestHash,
      envelopeHash,
      // The payer refuses a channel that has had all the agreement's calls (the same
      // `CHANNEL_DEPOSIT_EXHAUSTED` as `usedUp`) in the read it makes anyway.
      maxCalls: agreement.maxCalls,
      ...(budget ? { budget } : {}),
    })
  } catch (error) {
    // The agreement's own cap (its calls): the agreement is used up, not the budget. Said as
    // a used-up channel, which the caller renews with a new agreement and channel.
    if (error instanceof BudgetExceededError && budget && error.scope === budget.scope)
      throw usedUp(relationship, error)
    throw error
  }
}

/** An agreement that has had all its calls, said as a used-up channel: the caller renews both. */
function usedUp(relationship: Relationship, cause?: unknown): ChannelError {
  const { channelId, agreement } = relationship
  return new ChannelError(
    'CHANNEL_DEPOSIT_EXHAUSTED',
    `The agreement on channel ${channelId} has had all its ${agreement.agreement.maxCalls} calls.`,
    cause === undefined ? {} : { cause },
  )
}
