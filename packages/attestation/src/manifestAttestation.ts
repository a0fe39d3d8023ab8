import type { Hex } from 'viem'
import { z } from 'zod'
import { Measurements } from './measurements.js'

/** The ERC-8257 manifest extension key (reverse-DNS, beside `dev.gotong.terms`) of a TEE attestation. */
export const manifestAttestationKey = 'dev.gotong.attestation'

/** Largest quote carried inline, in bytes (a TDX quote with its PCK chain is about 5 KiB). */
const maxQuoteBytes = 16_384

const httpsUri = z.url({ protocol: /^https$/, hostname: z.regexes.domain })

/**
 * `dev.gotong.attestation`: the provider's Intel TDX quote (inline as lowercase hex, or where
 * to fetch it), the measurements it names as its own, and optionally where its collateral is
 * served (a PCCS base URL). The quote's report data binds the provider's signing address and
 * the manifest without this key (`attestationReportData`, `attestedManifestHash`).
 */
export const ManifestAttestation = z
  .strictObject({
    /** Extension format version. */
    version: z.literal(1),
    /** The TEE; only Intel TDX quotes (v4, v5) are verified. */
    tee: z.literal('intel-tdx'),
    /** The raw quote as lowercase 0x-hex. */
    quote: z
      .string()
      .regex(/^0x([0-9a-f]{2})+$/, 'must be lowercase 0x-hex bytes')
      .max(2 + 2 * maxQuoteBytes, `at most ${maxQuoteBytes} bytes`)
      .transform((value) => value as Hex)
      .optional(),
    /** Where the raw quote is served (`application/octet-stream`), when not inline. */
    quoteUri: httpsUri.optional(),
    /** The measurements the provider names as its own. */
    measurements: Measurements,
    /** A PCCS base URL serving this platform's collateral; otherwise Intel's PCS. */
    collateralUri: httpsUri.optional(),
  })
  .refine(
    (value) => (value.quote === undefined) !== (value.quoteUri === undefined),
    'carries exactly one of quote and quoteUri',
  )
export type ManifestAttestation = z.infer<typeof ManifestAttestation>

/**
 * The extension's value, to spread into a manifest. Validates it first.
 *
 * @example buildManifest({ …, tool: { …, extensions: manifestAttestation({ version: 1, tee: 'intel-tdx', quote, measurements }) } })
 */
export function manifestAttestation(
  value: z.input<typeof ManifestAttestation>,
): Record<typeof manifestAttestationKey, ManifestAttestation> {
  return { [manifestAttestationKey]: ManifestAttestation.parse(value) }
}

/**
 * The attestation a manifest carries: `{ found: false }` when it has none, the zod error when
 * it carries a malformed one.
 *
 * @example const read = attestationOf(listing.manifest); if (read.found && read.success) read.value.measurements
 */
export function attestationOf(
  manifest: Record<string, unknown>,
):
  | { found: false }
  | { found: true; success: true; value: ManifestAttestation }
  | { found: true; success: false; error: z.ZodError } {
  if (!(manifestAttestationKey in manifest)) return { found: false }
  const parsed = ManifestAttestation.safeParse(manifest[manifestAttestationKey])
  return parsed.success
    ? { found: true, success: true, value: parsed.data }
    : { found: true, success: false, error: parsed.error }
}
