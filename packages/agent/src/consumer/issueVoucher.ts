import type { Budget } from '@gotong/payments'
import type { IssuedVoucher } from '@gotong/payments/payer'
import type { Hex } from 'viem'
import { type ConsumerContext, takeFirst } from './consumerState.js'
import type { Relationship } from './types.js'

/**
 * The voucher paying for one call through a relationship: one an earlier process left
 * unanswered if there is one (it goes out first, so nothing newer is signed past it), else a
 * newly signed one for the agreed price. Either way it is held against every budget that
 * applies to this call, wherever its channel came from: the call's own (or its toolkit's), the
 * agent's (the payer's own), and the agreement's cap of price × calls.
 */
export async function issueVoucher(
  consumer: ConsumerContext,
  relationship: Relationship,
  requestHash: Hex,
  callBudget: Budget | undefined,
): Promise<IssuedVoucher> {
  const { agreement, termsHash } = relationship.agreement
  const budget = (callBudget ?? consumer.budget)?.child(termsHash, {
    max: agreement.pricePerCall * (agreement.maxCalls || 2n ** 64n),
  })
  const left = takeFirst(consumer.state.carried, relationship.channelId)
  if (left) return consumer.payer.resume(left, budget ? { budget } : {})
  return consumer.payer.createVoucher({
    channelId: relationship.channelId,
    termsHash,
    amount: agreement.pricePerCall,
    requestHash,
    ...(budget ? { budget } : {}),
  })
}
