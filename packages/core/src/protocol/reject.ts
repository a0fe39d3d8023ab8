import { z } from 'zod'
import { wireReasons } from '../errors/wire.js'
import { Bytes32 } from '../utils/scalars.js'

/**
 * Why a negotiation message was refused, each with the numeric code a transport can use. The
 * reasons shared with `WireError` keep their codes there.
 */
export const rejectReasons = {
  /** The terms are not acceptable (price below the floor, capability not offered, no rounds left). */
  declined: 406,
  /** The offer (or the negotiation) expired before the message arrived. */
  expired: wireReasons.expired,
  /** The message was already acted on: a second accept, an accept of a superseded offer. */
  replayed: wireReasons.replayed,
  /** The message changes something that was agreed or is not negotiable (payee, tool, terms). */
  terms_mismatch: wireReasons.terms_mismatch,
  invalid_signature: wireReasons.invalid_signature,
  invalid_input: wireReasons.invalid_input,
  /** No such call for proposals or proposal. */
  not_found: wireReasons.not_found,
  /** The negotiation already ended. */
  closed: 410,
  /** The other side gave up the negotiation. */
  cancelled: 410,
  unavailable: wireReasons.unavailable,
} as const

/** A reject reason (see `rejectReasons`). */
export const RejectReason = z.enum(
  Object.keys(rejectReasons) as [keyof typeof rejectReasons, ...(keyof typeof rejectReasons)[]],
)
export type RejectReason = z.output<typeof RejectReason>

/** Either side refuses a message, or ends the negotiation, with a reason from a fixed set. */
export const Reject = z.strictObject({
  type: z.literal('reject'),
  cfpId: Bytes32,
  proposalId: Bytes32.optional(),
  reason: RejectReason,
  message: z.string().max(512).optional(),
})
export type Reject = z.output<typeof Reject>
