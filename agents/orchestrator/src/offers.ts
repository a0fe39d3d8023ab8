import { GotongTerms, gotongTermsKey } from '@gotong/core'
import type { Listing } from '@gotong/directory/node'
import type { Address } from 'viem'
import { z } from 'zod'

/** One provider's offer of a capability, as its directory listing states it. */
export type CapabilityOffer = {
  toolId: bigint
  ref: string
  /** The tool's manifest name. */
  name: string
  provider: Address
  /** Listed price per call, in base units. */
  price: bigint
  /** The manifest's `dev.gotong.terms.sla`, if it states one. */
  p95LatencyMs: number | undefined
  callsPerMinute: number | undefined
  gated: boolean
  listing: Listing
}

/** What makes an offer acceptable: service levels wanted and the most to pay per call. */
export const OfferPolicy = z.object({
  /** Offers whose stated p95 latency is higher, or that state none, are out (default 2,000 ms). */
  maxP95LatencyMs: z.number().int().positive().default(2_000),
  /** Offers serving fewer calls per minute are out. */
  minCallsPerMinute: z.number().int().positive().optional(),
  /** Offers listed above this price per call (base units) are out. */
  maxPrice: z.bigint().nonnegative().optional(),
})
export type OfferPolicy = z.input<typeof OfferPolicy>

/** An offer left out, and why. */
export type RejectedOffer = { offer: CapabilityOffer; reason: string }

/**
 * Offers from directory listings: verified, live, priced gotong listings, other than `self`'s.
 *
 * @example const offers = offersFromListings(hits.flatMap((h) => h.offers), agent.address)
 */
export function offersFromListings(
  listings: readonly Listing[],
  self?: Address,
): CapabilityOffer[] {
  const seen = new Set<bigint>()
  const offers: CapabilityOffer[] = []
  for (const listing of listings) {
    if (seen.has(listing.toolId)) continue
    seen.add(listing.toolId)
    if (listing.status !== 'verified' || listing.deregistered || !listing.manifest) continue
    if (!listing.price || (self && listing.creator.toLowerCase() === self.toLowerCase())) continue
    const terms = GotongTerms.safeParse(listing.manifest[gotongTermsKey])
    const sla = terms.success ? terms.data.sla : undefined
    offers.push({
      toolId: listing.toolId,
      ref: listing.ref,
      name: listing.manifest.name,
      provider: listing.creator,
      price: listing.price.amount,
      p95LatencyMs: sla?.p95LatencyMs,
      callsPerMinute: sla?.callsPerMinute,
      gated: listing.access.predicate !== null,
      listing,
    })
  }
  return offers
}

/**
 * Ranks competing offers: those missing the policy's SLA or price are rejected (with the
 * reason); the rest go cheapest first, then fastest, then oldest tool. The first is the pick;
 * the others are fallbacks if it fails.
 *
 * @example
 * const { ranked, rejected } = rankOffers(offers, { maxP95LatencyMs: 2_000 })
 * // ranked[0]: the cheapest offer whose manifest promises p95 ≤ 2 s
 */
export function rankOffers(
  offers: readonly CapabilityOffer[],
  policy: OfferPolicy = {},
): { ranked: CapabilityOffer[]; rejected: RejectedOffer[] } {
  const wanted = OfferPolicy.parse(policy)
  const ranked: CapabilityOffer[] = []
  const rejected: RejectedOffer[] = []
  for (const offer of offers) {
    const reason = rejection(offer, wanted)
    if (reason) rejected.push({ offer, reason })
    else ranked.push(offer)
  }
  ranked.sort(
    (a, b) =>
      compare(a.price, b.price) ||
      (a.p95LatencyMs ?? 0) - (b.p95LatencyMs ?? 0) ||
      compare(a.toolId, b.toolId),
  )
  return { ranked, rejected }
}

function rejection(offer: CapabilityOffer, policy: z.output<typeof OfferPolicy>) {
  if (offer.p95LatencyMs === undefined) return 'states no SLA'
  if (offer.p95LatencyMs > policy.maxP95LatencyMs)
    return `p95 ${offer.p95LatencyMs} ms > ${policy.maxP95LatencyMs} ms`
  if (policy.minCallsPerMinute && (offer.callsPerMinute ?? 0) < policy.minCallsPerMinute)
    return `${offer.callsPerMinute ?? 0} calls/min < ${policy.minCallsPerMinute}`
  if (policy.maxPrice !== undefined && offer.price > policy.maxPrice)
    return `price ${offer.price} > ${policy.maxPrice}`
  return undefined
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}
