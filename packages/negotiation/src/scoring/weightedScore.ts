import type { CallForProposals, Proposal } from '@gotong/core'

/** What a score function sees besides the proposal. */
export type ScoreContext = {
  cfp: CallForProposals
  /** Unix milliseconds. */
  now: number
  /** From the reputation hook, 0 (worst) to 1 (best); undefined without one. */
  reputation: number | undefined
}

/** Scores a proposal that met the hard constraints: higher is better, -Infinity rules it out. */
export type ScoreFunction = (proposal: Proposal, context: ScoreContext) => number

/** Relative weight of each attribute; absent weights are 0. */
export type ScoreWeights = {
  price?: number
  latency?: number
  rate?: number
  quota?: number
  deadline?: number
  reputation?: number
}

/**
 * Multi-attribute scoring: each attribute mapped to 0–1 against what the call for proposals
 * asked (price against the cap, latency and rate against the SLA wanted, quota against calls
 * wanted, validity against the deadline), then averaged with the given weights.
 *
 * @example rank with weightedScore({ price: 1, latency: 2 }) to pay a little more for speed
 */
export function weightedScore(weights: ScoreWeights): ScoreFunction {
  const entries = Object.entries(weights).filter(([, w]) => w !== undefined && w > 0) as [
    keyof ScoreWeights,
    number,
  ][]
  const total = entries.reduce((sum, [, w]) => sum + w, 0)
  return (proposal, context) => {
    if (total === 0) return 0
    let score = 0
    for (const [attribute, weight] of entries)
      score += weight * attributes[attribute](proposal, context)
    return score / total
  }
}

const ratio = (value: number, of: number) => (of <= 0 ? 1 : Math.min(1, Math.max(0, value / of)))

const attributes: Record<keyof ScoreWeights, (p: Proposal, c: ScoreContext) => number> = {
  price: (p, { cfp }) =>
    1 - ratio(Number(p.terms.pricePerCall), Number(cfp.constraints.maxPricePerCall)),
  latency: (p, { cfp }) =>
    p.terms.p95LatencyMs === 0
      ? 0
      : ratio(cfp.constraints.sla?.p95LatencyMs ?? 1_000, p.terms.p95LatencyMs),
  rate: (p, { cfp }) => ratio(p.terms.callsPerMinute, cfp.constraints.sla?.callsPerMinute ?? 60),
  quota: (p, { cfp }) => ratio(Number(p.terms.maxCalls), Number(cfp.constraints.calls)),
  deadline: (p, { cfp, now }) =>
    ratio(Number(p.terms.validUntil) - now / 1000, Number(cfp.constraints.deadline) - now / 1000),
  reputation: (_, { reputation }) => reputation ?? 0.5,
}

/**
 * The default: cheapest first. Ties go to the lower latency, then to the earlier answer.
 *
 * @example rankOffers(offers, { cfp, now, score: cheapest })
 */
export const cheapest: ScoreFunction = (proposal, context) =>
  weightedScore({ price: 1 })(proposal, context) +
  weightedScore({ latency: 1 })(proposal, context) * 1e-9
