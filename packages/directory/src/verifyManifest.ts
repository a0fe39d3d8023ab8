import {
  canonicalJson,
  type ToolManifest,
  toolManifestSchema,
  toValidationIssues,
  type ValidationIssue,
} from '@gotong/core'
import { type Address, type Hex, keccak256, stringToBytes } from 'viem'

/** Largest manifest the directory carries in a log, and that the index accepts from a URI. */
export const maxManifestBytes = 65_536

/** Why a listing's manifest is not trusted; stable codes a program can switch on. */
export const unverifiedReasons = [
  /** More than 64 KiB. */
  'oversized',
  /** Not UTF-8 JSON (or starts with a byte-order mark). */
  'not_json',
  /** JSON, but not a valid ERC-8257 v1 manifest (`issues` says which field and rule). */
  'schema',
  /** keccak256 of its canonical form is not the manifest hash on chain. */
  'hash_mismatch',
  /** `creatorAddress` is not the tool's creator on chain (impersonation). */
  'creator_mismatch',
  /** Its metadata URI could not be fetched. */
  'fetch_failed',
  /** No manifest bytes are known for the version yet. */
  'no_manifest',
] as const
export type UnverifiedReason = (typeof unverifiedReasons)[number]

export type VerifyManifestParameters = {
  /** The manifest hash on chain for the version. */
  manifestHash: Hex
  /** The tool's creator on chain. */
  creator: Address
  /** The directory's chain (a loopback `http://` endpoint is fine on a devnet). */
  chainId?: number | undefined
  /**
   * keccak256 of `bytes` if already known to be `manifestHash`: the directory checks it for the
   * bytes in its `ManifestPublished` logs, so canonical bytes from a log need no second hash.
   */
  bytesHash?: Hex | undefined
}

export type ManifestVerification =
  | { status: 'verified'; manifest: ToolManifest }
  | {
      status: 'unverified'
      reason: UnverifiedReason
      message: string
      /** Rule violations, for `schema`. */
      issues?: readonly ValidationIssue[] | undefined
      /** The parsed manifest, when it got that far (`hash_mismatch`, `creator_mismatch`). */
      manifest?: ToolManifest | undefined
    }

/**
 * Checks manifest bytes the way ERC-8257 consumers must before trusting a listing: size
 * (≤ 64 KiB), UTF-8 JSON, the v1 schema, keccak256 of the RFC 8785 canonical form against the
 * hash on chain, and `creatorAddress` against the creator on chain. Never throws for bad bytes.
 *
 * @example
 * const result = verifyManifest(bytes, { manifestHash, creator, chainId: 31337 })
 * if (result.status === 'unverified') console.log(result.reason) // 'creator_mismatch'
 */
export function verifyManifest(
  bytes: Uint8Array,
  parameters: VerifyManifestParameters,
): ManifestVerification {
  if (bytes.length > maxManifestBytes)
    return unverified('oversized', `is ${bytes.length} bytes, more than ${maxManifestBytes}`)
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return unverified('not_json', 'starts with a byte-order mark')
  let text: string
  let value: unknown
  try {
    text = decoder.decode(bytes)
  } catch {
    return unverified('not_json', 'is not valid UTF-8')
  }
  try {
    value = JSON.parse(text)
  } catch (error) {
    return unverified('not_json', `is not JSON (${(error as Error).message})`)
  }
  const parsed = schemaFor(parameters.chainId).safeParse(value)
  if (!parsed.success) {
    const issues = toValidationIssues(parsed.error.issues, value)
    const first = issues[0]
    return {
      ...unverified(
        'schema',
        `is not a valid ERC-8257 manifest${first ? `: ${first.path ? `${first.path}: ` : ''}${first.message} [${first.rule}]` : ''}`,
      ),
      issues,
    }
  }
  // The schema keeps the value as given (nothing is normalized), so it is what gets hashed.
  const manifest = value as ToolManifest
  const expected = parameters.manifestHash.toLowerCase()
  let canonical: string
  try {
    canonical = canonicalJson(manifest)
  } catch (error) {
    // A number JSON cannot carry canonically (1e400 parses as Infinity).
    return unverified('schema', `cannot be canonicalized (${(error as Error).message})`)
  }
  const isCanonical = canonical === text
  const hash =
    isCanonical && parameters.bytesHash?.toLowerCase() === expected
      ? expected
      : keccak256(stringToBytes(canonical))
  if (hash !== expected) {
    const sameBytes = !isCanonical && keccak256(bytes) === expected
    return {
      ...unverified(
        'hash_mismatch',
        sameBytes
          ? 'the bytes are not in canonical (RFC 8785) form, so their canonical hash differs from the one on chain'
          : 'keccak256 of the canonical manifest differs from the manifest hash on chain',
      ),
      manifest,
    }
  }
  if (manifest.creatorAddress !== parameters.creator.toLowerCase())
    return {
      ...unverified(
        'creator_mismatch',
        `names creator ${manifest.creatorAddress}, but ${parameters.creator.toLowerCase()} registered it`,
      ),
      manifest,
    }
  return { status: 'verified', manifest }
}

const decoder = new TextDecoder('utf-8', { fatal: true })
const schemas = new Map<number | undefined, ReturnType<typeof toolManifestSchema>>()

/** Building a schema is far costlier than running it: one per chain, built once. */
function schemaFor(chainId: number | undefined) {
  let schema = schemas.get(chainId)
  if (!schema) {
    schema = toolManifestSchema({ chainId })
    schemas.set(chainId, schema)
  }
  return schema
}

function unverified(reason: UnverifiedReason, message: string) {
  return { status: 'unverified' as const, reason, message }
}
