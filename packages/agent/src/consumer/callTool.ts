import { ChannelError } from '@gotong/payments'
import type { IssuedVoucher } from '@gotong/payments/payer'
import type { Hex } from 'viem'
import { AgentError, agentCodeOf } from '../errors.js'
import { callRequestHash } from '../provider/hostTool.js'
import { checkToolVersion } from './checkToolVersion.js'
import { type ConsumerContext, takeFirst } from './consumerState.js'
import { getToolName } from './getListing.js'
import { issueVoucher } from './issueVoucher.js'
import { relationshipFor, retireRelationship } from './relationshipFor.js'
import { resolveInDoubt } from './resolveInDoubt.js'
import { forgetRelationship } from './savedRelationships.js'
import {
  type CallAnswer,
  type CallSender,
  confirmAnswer,
  isDefinite,
  receiptRequestOf,
  refusalOf,
  sendCall,
} from './sendCall.js'
import type { ChannelAnswer, Relationship, SpendLimits } from './types.js'

export type CallToolOptions = SpendLimits & {
  signal?: AbortSignal
  /** Why the call goes through a channel, for the consumer's events. */
  railReason?: string | undefined
  /** Sends the paid call (default: the provider's gotong `call` route). */
  send?: CallSender | undefined
  /** A call a spot check re-buys: its receipt is kept as evidence but not sampled again. */
  spotCheck?: boolean | undefined
}

/**
 * One paid call. Negotiates and funds on first use of a tool, then signs one voucher per
 * call; a used-up channel is replaced by a new agreement and channel. The provider's refusal
 * comes back as an `AgentError` with the provider's code; a definite refusal frees the
 * voucher for the next call, so nothing is paid for nothing.
 */
export async function callTool(
  consumer: ConsumerContext,
  toolId: bigint,
  input: unknown,
  options: CallToolOptions = {},
): Promise<ChannelAnswer> {
  const { payer, state } = consumer
  await checkToolVersion(consumer, toolId)
  const limits = { maxPrice: options.maxPrice, budget: options.budget ?? consumer.budget }
  let relationship = await relationshipFor(consumer, toolId, limits)
  refuseAbove(relationship, options.maxPrice)
  await resolveInDoubt(consumer, relationship)
  const firstTerms = relationship.agreement.termsHash
  const request = callRequestHash(await getToolName(consumer, toolId), firstTerms, input)
  // Hashed once per call; again only if a renewed channel brought new terms.
  const requestOf = async (r: Relationship) =>
    r.agreement.termsHash === firstTerms
      ? request
      : callRequestHash(await getToolName(consumer, toolId), r.agreement.termsHash, input)
  const answered = takeFirst(state.recovered, request)
  if (answered) {
    report(consumer, relationship, options, { price: answered.price, ok: true })
    return answered
  }
  // Set by `pay` once the voucher is signed (in a closure, so held in an object).
  const sent: { issued?: IssuedVoucher } = {}
  let requestHash = request
  // One key per call, kept by any retry of it; a reused voucher is a new call.
  const idempotencyKey = callId()
  // The voucher is signed for the envelope the call goes out in (again for a re-sent one).
  const pay = (r: Relationship) => async (envelopeHash: Hex) => {
    const issued = sent.issued
      ? await payer.bindVoucher(sent.issued, envelopeHash)
      : await issueVoucher(consumer, r, requestHash, options.budget, envelopeHash)
    sent.issued = issued
    return issued.payment
  }
  const send = (r: Relationship) =>
    (options.send ?? sendCall.bind(null, consumer))(
      r,
      { termsHash: r.agreement.termsHash, input },
      pay(r),
      idempotencyKey,
      options.signal,
    )
  let answer: CallAnswer
  let sentAt = consumer.clock()
  try {
    try {
      answer = await send(relationship)
    } catch (error) {
      if (
        sent.issued !== undefined ||
        !(error instanceof ChannelError && error.code === 'CHANNEL_DEPOSIT_EXHAUSTED')
      )
        throw error
      // The channel's calls are used up (nothing was signed): agree again and fund a new one.
      await retireRelationship(consumer, relationship)
      relationship = await relationshipFor(consumer, toolId, limits)
      refuseAbove(relationship, options.maxPrice)
      requestHash = await requestOf(relationship)
      sentAt = consumer.clock()
      answer = await send(relationship)
    }
  } catch (error) {
    const { issued } = sent
    // No voucher was issued: nothing was sent or reserved.
    if (issued === undefined) throw error
    if (isDefinite(error)) {
      const replayed = error.data?.receipt
      if (issued.reused && error.reason === 'replayed' && replayed) {
        // A voucher carried over from an earlier process had paid for a call served then:
        // keep its receipt, and pay for this call with the next voucher.
        payer.confirm(issued, replayed, receiptRequestOf(replayed))
        return callTool(consumer, toolId, input, options)
      }
      payer.fail(issued)
      // A relationship taken from an earlier process that the provider no longer honours
      // (it forgot the agreement, or the channel is closing): agree and fund anew, once.
      if (state.restored.has(relationship) && relationshipOver.has(agentCodeOf(error) ?? '')) {
        forgetRelationship(consumer, relationship)
        return callTool(consumer, toolId, input, options)
      }
      const code = agentCodeOf(error) ?? 'PAYMENT_REFUSED'
      report(consumer, relationship, options, { price: 0n, ok: false, code })
      throw refusalOf(error)
    }
    const unanswered = state.inDoubt.get(relationship.channelId) ?? []
    unanswered.push({
      relationship,
      issued,
      body: { termsHash: relationship.agreement.termsHash, input },
      idempotencyKey,
      requestHash,
    })
    state.inDoubt.set(relationship.channelId, unanswered)
    throw new AgentError(
      'TOOL_UNAVAILABLE',
      `Tool ${toolId} did not answer; the call may be retried.`,
      {
        cause: error,
      },
    )
  }
  const { agreement } = relationship.agreement
  // An answer came back, so a voucher went out with the call.
  const receipt = confirmAnswer(consumer, sent.issued as IssuedVoucher, answer, requestHash)
  consumer.onReceipt?.({ relationship, receipt, input, spotCheck: options.spotCheck === true })
  report(consumer, relationship, options, {
    price: agreement.pricePerCall,
    ok: true,
    latencyMs: consumer.clock() - sentAt,
  })
  return { output: answer.output, receipt, toolId, price: agreement.pricePerCall }
}

/**
 * A call's `maxPrice` binds every call, not only a negotiation: a relationship agreed earlier
 * at a higher price (by another call, or another process) is not paid through.
 */
function refuseAbove(relationship: Relationship, maxPrice: bigint | undefined) {
  const price = relationship.agreement.agreement.pricePerCall
  if (maxPrice !== undefined && price > maxPrice)
    throw new AgentError(
      'PRICE_TOO_HIGH',
      `Tool ${relationship.toolId} costs ${price} per call under its agreement, more than ${maxPrice}.`,
    )
}

/** Refusals that mean a saved relationship is over, not that the call is wrong. */
const relationshipOver = new Set([
  'AGREEMENT_UNKNOWN',
  'VOUCHER_UNKNOWN_CHANNEL',
  'VOUCHER_CHANNEL_CLOSING',
  'VOUCHER_AGREEMENT_EXPIRED',
])

function report(
  consumer: ConsumerContext,
  relationship: Relationship,
  options: CallToolOptions,
  outcome: { price: bigint; ok: boolean; code?: string; latencyMs?: number },
) {
  consumer.onEvent?.({
    type: 'call',
    toolId: relationship.toolId,
    provider: relationship.provider,
    ...outcome,
    rail: 'channel',
    railReason: options.railReason ?? 'paid through a channel',
    channelId: relationship.channelId,
  })
}

// A random UUID (122 random bits): Node draws them from a cached pool, ~1 µs against ~9 µs
// for `getRandomValues` on 16 fresh bytes and their hex.
function callId(): string {
  return crypto.randomUUID()
}
