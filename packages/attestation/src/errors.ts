import { BaseError, type BaseErrorParameters } from '@gotong/core'

/** Codes of {@link AttestationError}; a refused {@link AttestationVerdict} carries any but the last. */
export type AttestationErrorCode =
  /** The quote or its collateral does not verify: a bad signature, chain, CRL, format or TEE type. */
  | 'ATTESTATION_INVALID'
  /** The collateral or a certificate of the chain is not valid at the time given (expired, not yet issued). */
  | 'ATTESTATION_STALE'
  /** Intel rates the platform's TCB out of date (or below every level it still lists). */
  | 'TCB_OUT_OF_DATE'
  /** The TCB status is neither up to date nor out of date, and the policy does not accept it. */
  | 'TCB_NOT_ACCEPTED'
  /** The quote's measurements (MRTD, RTMRs) match no entry of the allowlist. */
  | 'MEASUREMENT_NOT_ALLOWED'
  /** The quote's report data does not bind the expected signer and manifest hash. */
  | 'ATTESTATION_UNBOUND'
  /** The manifest carries no `dev.gotong.attestation`, or a malformed one. */
  | 'ATTESTATION_MISSING'
  /** The quote (at `quoteUri`) or the collateral could not be fetched. */
  | 'ATTESTATION_UNAVAILABLE'
  /** The caller's parameters are malformed (not a quote, not an address, …). */
  | 'ATTESTATION_PARAMETERS_INVALID'

/**
 * A failure of a TEE attestation: thrown by `assertAttested` for a refused verdict, and by the
 * verifier for malformed parameters. `reason` is the underlying verifier's message, when any.
 *
 * @example
 * try { assertAttested(verdict) } catch (e) {
 *   if (e instanceof AttestationError && e.code === 'TCB_OUT_OF_DATE') console.log('ask for an update')
 * }
 */
export class AttestationError extends BaseError {
  override name = 'AttestationError'
  declare readonly code: AttestationErrorCode
  /** The verifier's own message (`ISV enclave report signature is invalid`, …), when any. */
  readonly reason: string | undefined
  constructor(
    code: AttestationErrorCode,
    shortMessage: string,
    parameters: BaseErrorParameters & { reason?: string | undefined } = {},
  ) {
    super(code, shortMessage, parameters)
    this.reason = parameters.reason
  }
}
