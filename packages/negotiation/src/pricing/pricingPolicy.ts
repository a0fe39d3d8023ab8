import type { CallForProposals } from '@gotong/core'
import type { Address } from 'viem'

/** What a pricing policy sees: the call for proposals, who asks, and when (unix ms). */
export type PricingRequest = {
  cfp: CallForProposals
  consumer: Address
  /** Calls the consumer wants. */
  calls: bigint
  /** 0 for the first quote, n after the consumer's n-th counter. */
  round: number
  now: number
}

/** A price step: takes the price so far and returns the next one. Write your own freely. */
export type PriceRule = (price: bigint, request: PricingRequest) => bigint | Promise<bigint>

/** A complete policy: the price per call for a request, in base units. */
export type PricingPolicy = (request: PricingRequest) => Promise<bigint>

/**
 * Composes a base price (an amount or a function of the request) with rules applied in order.
 *
 * @example
 * const pricing = pricingPolicy(1_000n, volumeDiscount([{ minCalls: 1_000n, bps: 500 }]),
 *   holderDiscount({ bps: 1_000, isHolder }), loadSurcharge({ maxBps: 2_000, load }))
 */
export function pricingPolicy(
  base: bigint | ((request: PricingRequest) => bigint | Promise<bigint>),
  ...rules: PriceRule[]
): PricingPolicy {
  return async (request) => {
    let price = typeof base === 'bigint' ? base : await base(request)
    for (const rule of rules) price = await rule(price, request)
    return price < 0n ? 0n : price
  }
}

/**
 * `price × (10_000 + bps) / 10_000`, rounded down; the unit every built-in rule uses.
 *
 * @example applyBps(1_000n, -500) // 950n, 5 % off
 */
export function applyBps(price: bigint, bps: number): bigint {
  return (price * BigInt(10_000 + Math.round(bps))) / 10_000n
}
