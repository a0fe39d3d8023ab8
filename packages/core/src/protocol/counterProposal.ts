import { z } from 'zod'
import { Bytes32 } from '../utils/scalars.js'
import { Terms } from './terms.js'

/**
 * The consumer's counter to a proposal: the terms it would accept instead. Only the terms are
 * negotiable (not payee, tool or channel); the provider answers with a new Proposal (next
 * round) or a Reject.
 */
export const CounterProposal = z.strictObject({
  type: z.literal('counter'),
  cfpId: Bytes32,
  /** The proposal being countered. */
  proposalId: Bytes32,
  terms: Terms,
})
export type CounterProposal = z.output<typeof CounterProposal>
