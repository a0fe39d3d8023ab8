import { cheapest, type ScoreFunction } from './weightedScore.js'

export type ReputationWeightedOptions = {
  /** 0 to 1: the reputation's share of the score (default 0.5). */
  weight?: number | undefined
  /** Offers whose payee's reputation is known and below this (0 to 1) are out. */
  minimum?: number | undefined
  /** The reputation of a payee the hook knows nothing of (default 0.5: neither trusted nor not). */
  unknown?: number | undefined
}

/**
 * A scoring policy that weighs the payee's reputation (the `reputation` hook of `rankOffers`,
 * 0 to 1) against another score (the cheapest offer by default): `(1 − weight) × base + weight ×
 * reputation`. An offer the base rules out stays out; with `minimum`, so does one from a payee
 * known to rate lower. Off unless chosen: pass it as `score`, with a `reputation` hook.
 *
 * @example rankOffers(offers, { cfp, now, score: reputationWeighted(cheapest, { weight: 0.3 }), reputation })
 */
export function reputationWeighted(
  base: ScoreFunction = cheapest,
  options: ReputationWeightedOptions = {},
): ScoreFunction {
  const weight = Math.min(1, Math.max(0, options.weight ?? 0.5))
  return (proposal, context) => {
    const score = base(proposal, context)
    if (!Number.isFinite(score)) return score
    const known = context.reputation
    if (options.minimum !== undefined && known !== undefined && known < options.minimum)
      return Number.NEGATIVE_INFINITY
    return (1 - weight) * score + weight * (known ?? options.unknown ?? 0.5)
  }
}
