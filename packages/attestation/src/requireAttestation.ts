import type { ParseToolManifestOptions } from '@gotong/core'
import { type Hex, hexToBytes } from 'viem'
import { type AttestableListing, attestListing } from './attestListing.js'
import { attestationOf, type ManifestAttestation } from './manifestAttestation.js'
import type { Measurement } from './measurements.js'
import type { AttestationVerdict, TcbStatus } from './verdict.js'

export type RequireAttestationParameters = {
  /** Intel's collateral for a quote: from the manifest's `collateralUri`, a PCCS, or a cache. */
  collateralFor: (quote: Uint8Array, attestation: ManifestAttestation) => Promise<unknown>
  /** The bytes served at a `quoteUri`, for manifests that do not carry the quote inline. */
  quoteFor?: ((uri: string) => Promise<Uint8Array>) | undefined
  /** The clock (default: the system's). */
  now?: (() => Date) | undefined
  /** Your allowlist; without one, the measurements each manifest names. */
  measurements?: readonly Measurement[] | undefined
  /** TCB statuses to accept (default: `UpToDate`, `SWHardeningNeeded`). */
  acceptedTcbStatuses?: readonly TcbStatus[] | undefined
  /** How to validate manifests for their hash (their chain, for loopback endpoints). */
  manifestOptions?: ParseToolManifestOptions | undefined
  /**
   * How long a verdict is reused for the same creator and manifest hash, in ms (default
   * 60,000; 0: never): a consumer checks a listing before each first call.
   */
  reuseMs?: number | undefined
}

/** A listing the directory index returns: the manifest hash keys reused verdicts. */
type PolicyListing = AttestableListing & { manifestHash?: Hex | undefined }

type Checked<L> = L & { attestation: AttestationVerdict }

/** A consumer policy that admits only listings with a verified TEE attestation. */
export type AttestationPolicy = {
  /** One listing with its verdict; never rejects (a failed fetch is ATTESTATION_UNAVAILABLE). */
  check<const L extends PolicyListing>(listing: L): Promise<Checked<L>>
  /** Listings split by verdict, each with it, in the order given. */
  filter<const L extends PolicyListing>(
    listings: readonly L[],
  ): Promise<{ accepted: Checked<L>[]; refused: Checked<L>[] }>
}

/**
 * The opt-in consumer policy: fetch each listing's quote (if served by URI) and its collateral
 * through the functions given, check it with {@link attestListing}, and keep only the
 * verified. Listings without an attestation are refused (ATTESTATION_MISSING).
 *
 * @example
 * const policy = requireAttestation({ collateralFor: (quote) => getCollateral(pccsUrl, quote), measurements })
 * const { accepted } = await policy.filter(hits.flatMap((hit) => hit.offers))
 */
export function requireAttestation(parameters: RequireAttestationParameters): AttestationPolicy {
  const clock = parameters.now ?? (() => new Date())
  const reuseMs = parameters.reuseMs ?? 60_000
  const reused = new Map<string, { until: number; verdict: Promise<AttestationVerdict> }>()
  const check = async <const L extends PolicyListing>(listing: L): Promise<Checked<L>> => {
    if (reuseMs <= 0 || !listing.manifestHash) return fresh(listing)
    const key = `${listing.creator.toLowerCase()}:${listing.manifestHash}`
    const now = clock().getTime()
    let entry = reused.get(key)
    if (!entry || entry.until <= now) {
      const verdict = fresh(listing).then((l) => l.attestation)
      entry = { until: now + reuseMs, verdict }
      reused.set(key, entry)
      // A failed fetch is tried again on the next check, not remembered.
      verdict.then((v) => {
        if (v.status === 'refused' && v.code === 'ATTESTATION_UNAVAILABLE') reused.delete(key)
      })
    }
    return { ...listing, attestation: await entry.verdict }
  }
  const fresh = async <const L extends AttestableListing>(listing: L): Promise<Checked<L>> => {
    const read = listing.manifest ? attestationOf(listing.manifest) : { found: false as const }
    const options = {
      now: clock(),
      measurements: parameters.measurements,
      acceptedTcbStatuses: parameters.acceptedTcbStatuses,
      manifestOptions: parameters.manifestOptions,
    }
    // Nothing to fetch: attestListing records why it is missing or malformed.
    if (!read.found || !read.success) return attestListing(listing, { ...options, collateral: {} })
    const attestation = read.value
    let quote: Uint8Array | undefined
    let collateral: unknown
    try {
      quote = attestation.quote
        ? hexToBytes(attestation.quote)
        : await parameters.quoteFor?.(attestation.quoteUri as string)
      if (quote) collateral = await parameters.collateralFor(quote, attestation)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      return unavailable(listing, options.now, message)
    }
    return attestListing(listing, { ...options, collateral, quote })
  }
  return {
    check,
    async filter(listings) {
      const checked = await Promise.all(listings.map(check))
      return {
        accepted: checked.filter((l) => l.attestation.status === 'verified'),
        refused: checked.filter((l) => l.attestation.status === 'refused'),
      }
    },
  }
}

function unavailable<L>(listing: L, now: Date, message: string): Checked<L> {
  return {
    ...listing,
    attestation: {
      status: 'refused',
      code: 'ATTESTATION_UNAVAILABLE',
      reason: `The quote or its collateral could not be fetched: ${message}`,
      checkedAt: now.toISOString(),
    },
  }
}
