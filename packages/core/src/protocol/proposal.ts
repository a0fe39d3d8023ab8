import { z } from 'zod'
import { AddressSchema, Bytes32, Uint64 } from '../utils/scalars.js'
import { ChannelRequirements, NegotiatedTool, Terms } from './terms.js'

/**
 * A provider's offer in answer to a call for proposals (round 0) or to a counter (round n).
 * `payee` is the provider's address: it countersigns the Agreement and is paid through the
 * channel, so it never changes within a negotiation. The offer stands until `expiresAt`
 * (unix seconds).
 */
export const Proposal = z.strictObject({
  type: z.literal('proposal'),
  cfpId: Bytes32,
  proposalId: Bytes32,
  round: z.number().int().min(0).max(255),
  payee: AddressSchema,
  tool: NegotiatedTool,
  terms: Terms,
  channel: ChannelRequirements,
  expiresAt: Uint64,
})
export type Proposal = z.output<typeof Proposal>
