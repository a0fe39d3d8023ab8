import { formatAmount, type NegotiationDropout, type NegotiationOffer } from '@gotong/core'
import {
  constraintViolation,
  type ConsumerContext as NegotiationContext,
} from '@gotong/negotiation'
import type { Address, Hex } from 'viem'

/** A negotiation as a live view shows it: every offer side by side, and who dropped out why. */
export type NegotiationDetail = {
  /** The call for proposals' id. */
  negotiation: Hex
  capability: string | undefined
  /** The provider being agreed with now, once there is one. */
  provider: Address | undefined
  offers: NegotiationOffer[]
  dropouts: NegotiationDropout[]
  /** Set once both sides signed. */
  agreement:
    | { termsHash: Hex; toolId: bigint; provider: Address; pricePerCall: bigint; maxCalls: bigint }
    | undefined
}

/**
 * Reads a consumer negotiation's context (an xstate snapshot's) as offers and outcomes: the
 * one being agreed with, the winner, and for each loser the reason in words (its dropout, the
 * constraint it missed, or the better offer that outranked it).
 */
export function describeNegotiation(context: NegotiationContext, now: number): NegotiationDetail {
  const { cfp, candidates, current, failures, agreement } = context
  const trying = candidates[current]
  const won = agreement !== undefined
  const winnerPrice = (won ? context.proposal : trying?.proposal)?.terms.pricePerCall
  const dropped = new Map(failures.map((f) => [f.provider.toLowerCase(), f]))
  const offers = context.offers.map(({ provider, proposal }): NegotiationOffer => {
    const rank = candidates.findIndex((c) => c.provider === provider)
    const isCurrent = rank >= 0 && rank === current
    // The current candidate's terms may have moved in counters: show the newest.
    const { terms, payee, tool, channel } =
      isCurrent && context.proposal ? context.proposal : proposal
    const dropout = dropped.get(provider.toLowerCase())
    const base = {
      provider: payee,
      toolId: tool.toolId,
      pricePerCall: terms.pricePerCall,
      maxCalls: terms.maxCalls,
      p95LatencyMs: terms.p95LatencyMs,
      callsPerMinute: terms.callsPerMinute,
      minDeposit: channel.minDeposit,
      rank: rank >= 0 ? rank : null,
    }
    if (dropout) return { ...base, outcome: 'lost', reason: dropoutText(dropout) }
    if (rank < 0)
      return {
        ...base,
        outcome: 'lost',
        reason: `ruled out: ${constraintViolation(proposal, cfp, now) ?? 'service levels not met'}`,
      }
    if (isCurrent) return { ...base, outcome: won ? 'won' : 'trying' }
    if (rank > current && winnerPrice !== undefined)
      return {
        ...base,
        outcome: won ? 'lost' : 'pending',
        reason: `outranked: ${gusd(terms.pricePerCall)} per call against ${gusd(winnerPrice)}${
          terms.pricePerCall === winnerPrice ? ' (ranked lower)' : ''
        }`,
      }
    return { ...base, outcome: 'pending' }
  })
  return {
    negotiation: cfp.cfpId,
    capability: cfp.capability,
    provider: trying?.proposal.payee,
    offers,
    dropouts: failures.map((f) => ({
      provider: f.provider,
      stage: f.stage,
      reason: f.reason,
      ...(f.message ? { message: f.message } : {}),
    })),
    agreement: agreement && {
      termsHash: agreement.termsHash,
      toolId: agreement.agreement.toolId,
      provider: agreement.agreement.provider,
      pricePerCall: agreement.agreement.pricePerCall,
      maxCalls: agreement.agreement.maxCalls,
    },
  }
}

function dropoutText(dropout: NegotiationDropout): string {
  return `${dropout.reason} at ${dropout.stage}${dropout.message ? `: ${dropout.message}` : ''}`
}

const gusd = (amount: bigint) => `${formatAmount(amount, 6)} gUSD`
