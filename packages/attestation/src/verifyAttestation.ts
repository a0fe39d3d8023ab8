import { AddressSchema, Bytes32, HexBytes } from '@gotong/core'
import { type Hex, hexToBytes, toHex } from 'viem'
import { z } from 'zod'
import { attestationReportData } from './attestationReportData.js'
import { Collateral } from './collateral.js'
import { AttestationError } from './errors.js'
import { type DcapVerifiedReport, dcapVerify } from './internal/dcap.js'
import { Measurements, matchesMeasurements, type QuoteMeasurements } from './measurements.js'
import { type AttestationVerdict, type RefusalCode, TcbStatus } from './verdict.js'

/** TCB statuses accepted unless the caller says otherwise. */
export const defaultAcceptedTcbStatuses: readonly TcbStatus[] = ['UpToDate', 'SWHardeningNeeded']

const outOfDate: readonly TcbStatus[] = [
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
  'BelowAllLevels',
]

const Parameters = z.strictObject({
  /** The raw quote: bytes, or 0x-hex as the manifest carries it. */
  quote: z.union([z.instanceof(Uint8Array<ArrayBufferLike>), HexBytes]),
  /** The quote's collateral from a PCCS; parsed here, a malformed one refuses the quote. */
  collateral: z.unknown(),
  /** The time to check certificates, CRLs, TCB info and QE identity against. */
  now: z.date().refine((date) => !Number.isNaN(date.getTime()), 'must be a valid date'),
  /** What the report data must bind. */
  expected: z.strictObject({ signer: AddressSchema, manifestHash: Bytes32 }),
  /** The measurement allowlist. */
  measurements: Measurements,
  /** TCB statuses to accept; `OutOfDate*` is refused as TCB_OUT_OF_DATE whatever this says. */
  acceptedTcbStatuses: z.array(TcbStatus).min(1).optional(),
})

export type VerifyAttestationParameters = z.input<typeof Parameters>

/**
 * Verifies an Intel TDX quote offline and checks it against gotong's policy, in this order:
 * the quote and collateral verify to Intel's root at `now` (dcap-qvl); the quote is a TDX
 * quote; the TCB status is accepted; the registers match an allowlist entry; the report data
 * is `attestationReportData(expected)`. Returns a verdict; throws only for bad parameters.
 *
 * @throws AttestationError ATTESTATION_PARAMETERS_INVALID for malformed parameters
 * @example
 * const verdict = verifyAttestation({ quote, collateral, now: new Date(), expected: { signer, manifestHash }, measurements })
 * if (verdict.status === 'refused') console.log(verdict.code, verdict.reason)
 */
export function verifyAttestation(parameters: VerifyAttestationParameters): AttestationVerdict {
  const parsed = Parameters.safeParse(parameters)
  if (!parsed.success)
    throw new AttestationError(
      'ATTESTATION_PARAMETERS_INVALID',
      'The attestation check was given malformed parameters.',
      { details: z.prettifyError(parsed.error) },
    )
  const { now, expected, measurements } = parsed.data
  const accepted = parsed.data.acceptedTcbStatuses ?? defaultAcceptedTcbStatuses
  const checkedAt = now.toISOString()
  const refuse = (code: RefusalCode, reason: string, read: Partial<Facts> = {}) =>
    ({ status: 'refused', code, reason, ...read, checkedAt }) as const

  const collateral = Collateral.safeParse(parsed.data.collateral)
  if (!collateral.success)
    return refuse(
      'ATTESTATION_INVALID',
      `The collateral is malformed: ${z.prettifyError(collateral.error)}`,
    )
  const quote =
    typeof parsed.data.quote === 'string' ? hexToBytes(parsed.data.quote) : parsed.data.quote

  let report: DcapVerifiedReport
  try {
    report = dcapVerify(quote, collateral.data, Math.floor(now.getTime() / 1000))
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    // Thrown only after the quote's signature, the PCK chain, the QE report and the collateral's
    // signatures all verified: the quote is genuine, its platform older than any listed level.
    if (message === 'No matching TCB level found')
      return refuse(
        'TCB_OUT_OF_DATE',
        `The platform's TCB is below every level in Intel's TCB info.`,
        {
          tcbStatus: 'BelowAllLevels',
        },
      )
    if (/expired|not yet valid|issue date is in the future/i.test(message))
      return refuse('ATTESTATION_STALE', `Not valid at ${checkedAt}: ${message}.`)
    return refuse('ATTESTATION_INVALID', `The quote does not verify: ${message}.`)
  }

  const td = report.report.type === 'sgx' ? null : report.report.asTd10()
  if (!td)
    return refuse('ATTESTATION_INVALID', `The quote is an ${report.report.type} quote, not TDX.`)
  const status = TcbStatus.safeParse(report.status)
  const read: Facts = {
    tcbStatus: status.success ? status.data : 'Unknown',
    advisoryIds: [...report.advisory_ids],
    measurements: registersOf(td),
    reportData: toHex(td.reportData),
  }
  if (outOfDate.includes(read.tcbStatus))
    return refuse('TCB_OUT_OF_DATE', `Intel rates the platform's TCB ${read.tcbStatus}.`, read)
  if (!accepted.includes(read.tcbStatus))
    return refuse('TCB_NOT_ACCEPTED', `The TCB status ${read.tcbStatus} is not accepted.`, read)
  if (!matchesMeasurements(read.measurements, measurements))
    return refuse(
      'MEASUREMENT_NOT_ALLOWED',
      `MRTD ${read.measurements.mrTd} and its RTMRs match no allowed entry.`,
      read,
    )
  const bound = attestationReportData(expected)
  if (read.reportData !== bound)
    return refuse(
      'ATTESTATION_UNBOUND',
      `The report data is not ${bound}, which binds ${expected.signer} and manifest ${expected.manifestHash}.`,
      read,
    )
  return { status: 'verified', tee: 'intel-tdx', ...read, checkedAt }
}

type Facts = {
  tcbStatus: TcbStatus
  advisoryIds: string[]
  measurements: QuoteMeasurements
  reportData: Hex
}

function registersOf(
  td: NonNullable<ReturnType<DcapVerifiedReport['report']['asTd10']>>,
): QuoteMeasurements {
  return {
    mrTd: toHex(td.mrTd),
    rtmr0: toHex(td.rtMr0),
    rtmr1: toHex(td.rtMr1),
    rtmr2: toHex(td.rtMr2),
    rtmr3: toHex(td.rtMr3),
  }
}
