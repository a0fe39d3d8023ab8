import { BaseError } from '@gotong/core'

/**
 * A negotiation could not be run as asked: a missing actor or signer, an inspector that is
 * not installed, a snapshot that does not parse. `code` says which.
 */
export class NegotiationError extends BaseError {
  override name = 'NegotiationError'
}

/** Why a consumer's negotiation ended without an agreement in force. */
export type NegotiationFailureReason =
  | 'no_offers'
  | 'all_rejected'
  | 'no_acceptable_offer'
  | 'signing_failed'
  | 'funding_failed'
  | 'settle_failed'
  | 'cancelled'

const codes: Record<NegotiationFailureReason, string> = {
  no_offers: 'NEGOTIATION_NO_OFFERS',
  all_rejected: 'NEGOTIATION_ALL_REJECTED',
  no_acceptable_offer: 'NEGOTIATION_NO_ACCEPTABLE_OFFER',
  signing_failed: 'NEGOTIATION_SIGNING_FAILED',
  funding_failed: 'NEGOTIATION_FUNDING_FAILED',
  settle_failed: 'NEGOTIATION_SETTLE_FAILED',
  cancelled: 'NEGOTIATION_CANCELLED',
}

/**
 * A negotiation ended without an agreement. `reason` is stable; `failures` says what each
 * provider answered (or failed to).
 *
 * @example
 * try { await negotiate(client, parameters) } catch (e) {
 *   if (e instanceof NegotiationFailedError && e.reason === 'no_offers') retryLater()
 * }
 */
export class NegotiationFailedError extends BaseError {
  override name = 'NegotiationFailedError'
  readonly reason: NegotiationFailureReason
  readonly failures: readonly unknown[]

  constructor(
    reason: NegotiationFailureReason,
    message: string,
    options: { failures?: readonly unknown[]; cause?: unknown } = {},
  ) {
    super(codes[reason], message, { cause: options.cause })
    this.reason = reason
    this.failures = options.failures ?? []
  }
}
