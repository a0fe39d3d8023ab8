import type { ParseToolManifestOptions } from '@gotong/core'
import type { Address } from 'viem'
import { attestedManifestHash } from './attestedManifestHash.js'
import { attestationOf, manifestAttestationKey } from './manifestAttestation.js'
import type { Measurement } from './measurements.js'
import type { AttestationVerdict, TcbStatus } from './verdict.js'
import { verifyAttestation } from './verifyAttestation.js'

/** What {@link attestListing} needs of a listing: the directory's `Listing` has both. */
export type AttestableListing = {
  /** The manifest, verified against the hash on chain by whoever built the listing. */
  manifest?: Record<string, unknown> | undefined
  /** The provider's address: the key its quote must bind. */
  creator: Address
}

export type AttestListingParameters = {
  /** The quote's collateral, fetched from the manifest's `collateralUri` or Intel's PCS. */
  collateral: unknown
  /** The time to check the quote and collateral at. */
  now: Date
  /** Your own allowlist; without one, the measurements the manifest names are accepted. */
  measurements?: readonly Measurement[] | undefined
  /** The quote's bytes, fetched from `quoteUri`, when the manifest does not carry them inline. */
  quote?: Uint8Array | undefined
  /** TCB statuses to accept (default: `UpToDate`, `SWHardeningNeeded`). */
  acceptedTcbStatuses?: readonly TcbStatus[] | undefined
  /** How to validate the manifest for its hash (its chain, for loopback endpoints). */
  manifestOptions?: ParseToolManifestOptions | undefined
}

/**
 * Checks the TEE attestation a listing's manifest carries and records the verdict with it:
 * the quote must bind `listing.creator` and the manifest without `dev.gotong.attestation`.
 * A listing with no attestation, or a malformed one, is recorded as ATTESTATION_MISSING.
 *
 * @example
 * const checked = attestListing(listing, { collateral, now: new Date(), measurements: mine })
 * if (checked.attestation.status !== 'verified') skip(checked)
 */
export function attestListing<const L extends AttestableListing>(
  listing: L,
  parameters: AttestListingParameters,
): L & { attestation: AttestationVerdict } {
  const missing = (reason: string) => ({
    ...listing,
    attestation: {
      status: 'refused',
      code: 'ATTESTATION_MISSING',
      reason,
      checkedAt: parameters.now.toISOString(),
    } as const,
  })
  const manifest = listing.manifest
  if (!manifest) return missing('The listing has no verified manifest.')
  const read = attestationOf(manifest)
  if (!read.found) return missing(`The manifest carries no ${manifestAttestationKey}.`)
  if (!read.success)
    return missing(`The manifest's ${manifestAttestationKey} is malformed: ${read.error.message}`)
  const quote = read.value.quote ?? parameters.quote
  if (quote === undefined)
    return missing(`The quote served at ${read.value.quoteUri} was not given.`)
  const attestation = verifyAttestation({
    quote,
    collateral: parameters.collateral,
    now: parameters.now,
    expected: {
      signer: listing.creator,
      manifestHash: attestedManifestHash(manifest, parameters.manifestOptions),
    },
    measurements: [...(parameters.measurements ?? read.value.measurements)],
    ...(parameters.acceptedTcbStatuses && {
      acceptedTcbStatuses: [...parameters.acceptedTcbStatuses],
    }),
  })
  return { ...listing, attestation }
}
