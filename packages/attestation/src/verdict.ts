import type { Hex } from 'viem'
import { z } from 'zod'
import { QuoteMeasurements } from './measurements.js'

/**
 * Intel's TCB statuses as dcap-qvl reports them, plus `BelowAllLevels`: the platform's TCB is
 * lower than every level Intel's signed TCB info lists (Intel's QVL calls it TCB_NOT_SUPPORTED;
 * the oldest listed level is normally already `OutOfDate`).
 */
export const TcbStatus = z.enum([
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
  'Revoked',
  'Unknown',
  'BelowAllLevels',
])
export type TcbStatus = z.infer<typeof TcbStatus>

/** The codes a refused verdict carries. */
export const RefusalCode = z.enum([
  'ATTESTATION_INVALID',
  'ATTESTATION_STALE',
  'TCB_OUT_OF_DATE',
  'TCB_NOT_ACCEPTED',
  'MEASUREMENT_NOT_ALLOWED',
  'ATTESTATION_UNBOUND',
  'ATTESTATION_MISSING',
  'ATTESTATION_UNAVAILABLE',
])
export type RefusalCode = z.infer<typeof RefusalCode>

const reportData = z
  .string()
  .regex(/^0x[0-9a-f]{128}$/)
  .transform((value) => value as Hex)

/** What a verified quote says, recorded whether or not the policy then accepts it. */
const facts = {
  /** Intel's rating of the platform's TCB. */
  tcbStatus: TcbStatus,
  /** Intel security advisories (`INTEL-SA-…`) that apply to that TCB level. */
  advisoryIds: z.array(z.string()),
  /** The TD's registers. */
  measurements: QuoteMeasurements,
  /** The 64 bytes of report data, as signed. */
  reportData,
}

/**
 * The outcome of checking a provider's TEE attestation, as plain JSON to record with the
 * listing. `verified`: genuine, fresh, accepted TCB, allowed measurements, bound to the signer
 * and manifest. `refused`: the first check that failed, with every fact read before it.
 */
export const AttestationVerdict = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('verified'),
    tee: z.literal('intel-tdx'),
    ...facts,
    /** The time the quote and collateral were checked at (ISO 8601). */
    checkedAt: z.iso.datetime(),
  }),
  z.strictObject({
    status: z.literal('refused'),
    code: RefusalCode,
    /** One sentence: what failed; the verifier's own message where it threw. */
    reason: z.string(),
    tcbStatus: facts.tcbStatus.optional(),
    advisoryIds: facts.advisoryIds.optional(),
    measurements: facts.measurements.optional(),
    reportData: facts.reportData.optional(),
    checkedAt: z.iso.datetime(),
  }),
])
export type AttestationVerdict = z.infer<typeof AttestationVerdict>
