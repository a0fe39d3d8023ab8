import { ReceiptInvalidError } from '@gotong/payments'
import type { Hex } from 'viem'
import { AgentError } from '../errors.js'
import type { ConsumerContext } from './consumerState.js'
import { confirmAnswer, isDefinite, receiptRequestOf, sendCall } from './sendCall.js'
import type { Relationship } from './types.js'

/**
 * Settles a channel's calls whose answers never came, before it signs anything new: each is
 * re-sent with its idempotency key, so the provider answers it from its first result, serves it
 * now, or refuses it (then its voucher is reused). Signing past it could pay for a call never
 * served, since vouchers are cumulative. One resolution runs per channel at a time; concurrent
 * calls wait for the one under way.
 */
export function resolveInDoubt(
  consumer: ConsumerContext,
  relationship: Relationship,
): Promise<void> {
  const { inDoubt, resolving } = consumer.state
  const { channelId } = relationship
  if (!inDoubt.get(channelId)?.length) return Promise.resolve()
  let running = resolving.get(channelId)
  if (!running) {
    running = resolveEach(consumer, relationship).finally(() => resolving.delete(channelId))
    resolving.set(channelId, running)
  }
  return running
}

async function resolveEach(consumer: ConsumerContext, relationship: Relationship) {
  const { payer, state } = consumer
  const pending = state.inDoubt.get(relationship.channelId)
  while (pending?.length) {
    const call = pending[0]!
    // Re-sent to its own tool: a shared channel's calls in doubt may be under other agreements.
    const own = call.relationship
    try {
      // A new envelope: the same voucher, signed again for it.
      const pay = async (envelopeHash: Hex) => {
        call.issued = await payer.bindVoucher(call.issued, envelopeHash)
        return call.issued.payment
      }
      const answer = await sendCall(consumer, own, call.body, pay, call.idempotencyKey)
      const receipt = confirmAnswer(consumer, call.issued, answer, call.requestHash)
      const answers = state.recovered.get(call.requestHash) ?? []
      answers.push({
        output: answer.output,
        receipt,
        toolId: own.toolId,
        price: own.agreement.agreement.pricePerCall,
      })
      state.recovered.set(call.requestHash, answers)
    } catch (error) {
      if (error instanceof ReceiptInvalidError) {
        // A receipt that does not prove this call: not re-sent forever; the voucher stays
        // issued in the ledger, for the books to show.
        pending.splice(pending.indexOf(call), 1)
        throw error
      }
      if (!isDefinite(error)) {
        throw new AgentError(
          'TOOL_UNAVAILABLE',
          `Tool ${own.toolId} still does not answer an earlier call; nothing new is signed until it does.`,
          { cause: error },
        )
      }
      const replayed = error.data?.receipt
      // Served already (its reply lost): the receipt says for which request.
      try {
        if (error.reason === 'replayed' && replayed)
          payer.confirm(call.issued, replayed, receiptRequestOf(replayed))
        else payer.fail(call.issued)
      } catch (invalid) {
        pending.splice(pending.indexOf(call), 1)
        throw invalid
      }
    }
    pending.splice(pending.indexOf(call), 1)
  }
  state.inDoubt.delete(relationship.channelId)
}
