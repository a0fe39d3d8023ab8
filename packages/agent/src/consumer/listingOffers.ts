import { gotongChannelProtocol, parseCaip10 } from '@gotong/core'
import type { Listing } from '@gotong/directory/node'
import { type Address, getAddress } from 'viem'

/** A listing's x402 offer: what one call costs, to whom, at which URL. */
export type X402Offer = { amount: bigint; recipient: Address; endpoint: string }

/**
 * The rails a listing offers: a gotong channel (its `gotong-channel` pricing entry) and x402
 * (an entry with protocol `x402`; its URL is the entry's `endpoint`, or the manifest's own for
 * a plain ERC-8257 x402 tool).
 */
export function listingOffers(listing: Listing): { channel: boolean; x402: X402Offer | undefined } {
  const manifest = listing.manifest
  const pricing = (manifest?.pricing ?? []) as readonly Record<string, unknown>[]
  const channel = pricing.some((entry) => entry.protocol === gotongChannelProtocol)
  const entry = pricing.find((e) => e.protocol === 'x402')
  if (!entry) return { channel, x402: undefined }
  const endpoint = typeof entry.endpoint === 'string' ? entry.endpoint : manifest?.endpoint
  if (typeof endpoint !== 'string' || !/^https?:\/\//.test(endpoint))
    return { channel, x402: undefined }
  return {
    channel,
    x402: {
      amount: BigInt(entry.amount as string),
      recipient: getAddress(parseCaip10(entry.recipient as string).address),
      endpoint,
    },
  }
}
