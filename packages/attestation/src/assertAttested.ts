import { AttestationError } from './errors.js'
import type { AttestationVerdict } from './verdict.js'

/**
 * Throws the refusal of a verdict as an {@link AttestationError} with the verdict's code;
 * returns the verified verdict otherwise, for callers that want an exception, not a value.
 *
 * @throws AttestationError with the refused verdict's code and reason
 * @example const verified = assertAttested(verifyAttestation(parameters))
 */
export function assertAttested(
  verdict: AttestationVerdict,
): Extract<AttestationVerdict, { status: 'verified' }> {
  if (verdict.status === 'verified') return verdict
  return failed(verdict)
}

function failed(verdict: Extract<AttestationVerdict, { status: 'refused' }>): never {
  throw new AttestationError(verdict.code, verdict.reason, {
    reason: verdict.reason,
    metaMessages: [
      `Checked at: ${verdict.checkedAt}`,
      ...(verdict.tcbStatus ? [`TCB status: ${verdict.tcbStatus}`] : []),
      ...(verdict.measurements ? [`MRTD: ${verdict.measurements.mrTd}`] : []),
    ],
  })
}
