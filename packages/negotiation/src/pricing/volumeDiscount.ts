import { applyBps, type PriceRule } from './pricingPolicy.js'

/** One volume tier: from `minCalls` calls wanted, `bps` basis points off. */
export type VolumeTier = { minCalls: bigint; bps: number }

/**
 * Discount by calls wanted: the best tier the request reaches applies.
 *
 * @example volumeDiscount([{ minCalls: 1_000n, bps: 500 }, { minCalls: 10_000n, bps: 1_500 }])
 */
export function volumeDiscount(tiers: readonly VolumeTier[]): PriceRule {
  return (price, request) => {
    let bps = 0
    for (const tier of tiers) if (request.calls >= tier.minCalls && tier.bps > bps) bps = tier.bps
    return applyBps(price, -bps)
  }
}
