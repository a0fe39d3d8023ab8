import type { CallForProposals, Proposal } from '@gotong/core'
import type { Address } from 'viem'
import { constraintViolation } from './constraintViolation.js'
import { cheapest, type ScoreFunction } from './weightedScore.js'

/** An offer as the consumer received it: who answered (its transport address) and what. */
export type Offer = { provider: string; proposal: Proposal }

/** An offer with its score, best first in a ranking. */
export type RankedOffer = Offer & { score: number }

export type RankOffersParameters = {
  cfp: CallForProposals
  /** Unix milliseconds. */
  now: number
  score?: ScoreFunction | undefined
  /** Reputation of a payee, 0 to 1, from wherever the consumer keeps it. */
  reputation?: ((payee: Address) => number | Promise<number>) | undefined
}

/**
 * Ranks offers best first: drops those that miss the hard constraints (see
 * `constraintViolation`) or score -Infinity, keeps arrival order among equal scores.
 *
 * @example const [best] = await rankOffers(offers, { cfp, now: Date.now() })
 */
export async function rankOffers(
  offers: readonly Offer[],
  parameters: RankOffersParameters,
): Promise<RankedOffer[]> {
  const score = parameters.score ?? cheapest
  const ranked: RankedOffer[] = []
  for (const offer of offers) {
    if (constraintViolation(offer.proposal, parameters.cfp, parameters.now)) continue
    const reputation = await parameters.reputation?.(offer.proposal.payee)
    const value = score(offer.proposal, { cfp: parameters.cfp, now: parameters.now, reputation })
    if (Number.isNaN(value) || value === Number.NEGATIVE_INFINITY) continue
    ranked.push({ ...offer, score: value })
  }
  return ranked.sort((a, b) => b.score - a.score)
}
