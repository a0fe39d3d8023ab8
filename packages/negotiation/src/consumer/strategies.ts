import type { Terms } from '@gotong/core'
import type { DecideInput, Decision } from './machine/consumerActors.js'

/** Decides what to do with the current best offer: accept, counter or skip it. */
export type CounterStrategy = (input: DecideInput) => Decision | Promise<Decision>

/**
 * Accepts the best offer as made. The default.
 *
 * @example negotiate(client, { ...parameters, strategy: acceptOffer })
 */
export const acceptOffer: CounterStrategy = () => ({ type: 'accept' })

/** Terms a consumer would rather have; any subset of the negotiable ones. */
export type WantedTerms = Partial<
  Pick<Terms, 'pricePerCall' | 'maxCalls' | 'validUntil' | 'p95LatencyMs' | 'callsPerMinute'>
>

/**
 * Counters toward wanted terms while rounds are left (a lower price, a bigger quota, a longer
 * validity, a faster or higher-rate SLA), then takes the best the provider came back with.
 *
 * @example counterToward({ pricePerCall: 800n, p95LatencyMs: 200 })
 */
export function counterToward(wanted: WantedTerms): CounterStrategy {
  return ({ proposal, round, maxRounds }) => {
    const offered = proposal.terms
    const better: Terms = {
      ...offered,
      ...(wanted.pricePerCall !== undefined && offered.pricePerCall > wanted.pricePerCall
        ? { pricePerCall: wanted.pricePerCall }
        : {}),
      ...(wanted.maxCalls !== undefined && offered.maxCalls < wanted.maxCalls
        ? { maxCalls: wanted.maxCalls }
        : {}),
      ...(wanted.validUntil !== undefined && offered.validUntil < wanted.validUntil
        ? { validUntil: wanted.validUntil }
        : {}),
      ...(wanted.p95LatencyMs !== undefined &&
      (offered.p95LatencyMs === 0 || offered.p95LatencyMs > wanted.p95LatencyMs)
        ? { p95LatencyMs: wanted.p95LatencyMs }
        : {}),
      ...(wanted.callsPerMinute !== undefined && offered.callsPerMinute < wanted.callsPerMinute
        ? { callsPerMinute: wanted.callsPerMinute }
        : {}),
    }
    const satisfied = (Object.keys(better) as (keyof Terms)[]).every(
      (key) => better[key] === offered[key],
    )
    if (satisfied || round >= maxRounds) return { type: 'accept' }
    return { type: 'counter', terms: better }
  }
}
