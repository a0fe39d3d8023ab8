import { PricingEntry, toCaip10, toErc20Caip19 } from '@gotong/core'
import type { Address } from 'viem'
import { z } from 'zod'

/** The `pricing[].protocol` of a tool's x402 face. */
export const x402Protocol = 'x402'

/**
 * An ERC-8257 pricing entry paid over x402 `exact`: amount, asset and recipient as in every
 * entry, and `endpoint`, the URL an x402 client requests (and pays) to call the tool.
 */
export const X402PricingEntry = PricingEntry.and(
  z.looseObject({
    protocol: z.literal(x402Protocol),
    endpoint: z.url({ protocol: /^https?$/ }),
  }),
)
export type X402PricingEntry = z.output<typeof X402PricingEntry>

/** Parameters of {@link x402PricingEntry}. */
export type X402PricingEntryParameters = {
  amount: bigint
  chainId: number
  /** The EIP-3009 token paid in (gUSD). */
  asset: Address
  recipient: Address
  /** The tool's x402 URL. */
  endpoint: string
}

/**
 * The pricing entry a served tool lists for its x402 face, after gotong's channel entry.
 *
 * @example
 * x402PricingEntry({ amount: 2_000n, chainId: 31337, asset: gUSD, recipient, endpoint: `${url}/tools/word-count/x402` })
 */
export function x402PricingEntry(parameters: X402PricingEntryParameters): X402PricingEntry {
  return {
    amount: parameters.amount.toString(),
    asset: toErc20Caip19(parameters.chainId, parameters.asset),
    recipient: toCaip10(parameters.chainId, parameters.recipient),
    protocol: x402Protocol,
    endpoint: parameters.endpoint,
  }
}
