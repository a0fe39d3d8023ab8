import { z } from 'zod'
import { AddressSchema, Bytes32, Uint32, Uint64, Uint256 } from '../utils/scalars.js'

/**
 * The tool a proposal is for, as the Agreement names it: an ERC-8257 registry, the tool's id
 * there, and the manifest hash that pins the version (`toToolRef(chainId, registry, toolId)`
 * is its ERC-8257 tool reference).
 */
export const NegotiatedTool = z.strictObject({
  registry: AddressSchema,
  toolId: Uint256,
  manifestHash: Bytes32,
})
export type NegotiatedTool = z.output<typeof NegotiatedTool>

/**
 * The negotiable terms, every attribute of the Agreement the two sides trade: price per call
 * in base units of `token`, a call quota, how long the agreement lasts (unix seconds) and the
 * service levels (0 = not promised).
 */
export const Terms = z.strictObject({
  token: AddressSchema,
  pricePerCall: Uint256,
  maxCalls: Uint64,
  validUntil: Uint64,
  p95LatencyMs: Uint32,
  callsPerMinute: Uint32,
})
export type Terms = z.output<typeof Terms>

/** What a provider asks of the payment channel: which contract holds deposits, and how much. */
export const ChannelRequirements = z.strictObject({
  /** The PaymentChannels contract; also the EIP-712 `verifyingContract` of the Agreement. */
  contract: AddressSchema,
  /** Smallest deposit the provider serves against, in base units of the terms' token. */
  minDeposit: Uint256,
})
export type ChannelRequirements = z.output<typeof ChannelRequirements>
