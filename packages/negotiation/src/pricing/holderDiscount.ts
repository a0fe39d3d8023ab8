import type { Address } from 'viem'
import { applyBps, type PriceRule } from './pricingPolicy.js'

export type HolderDiscountParameters = {
  /** Basis points off for holders. */
  bps: number
  /** Whether the consumer holds the token (read it from the chain, a cache, an allow-list). */
  isHolder: (consumer: Address) => boolean | Promise<boolean>
}

/**
 * Discount for holders of a token (an access pass, the provider's own token).
 *
 * @example holderDiscount({ bps: 1_000, isHolder: async (a) => (await balanceOf(a)) > 0n })
 */
export function holderDiscount(parameters: HolderDiscountParameters): PriceRule {
  return async (price, request) =>
    (await parameters.isHolder(request.consumer)) ? applyBps(price, -parameters.bps) : price
}
