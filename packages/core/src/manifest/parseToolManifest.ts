import type { Hex } from 'viem'
import { InvalidManifestError, toValidationIssues } from '../errors/validation.js'
import { canonicalBytes, contentHash } from '../utils/canonical.js'
import { type GotongToolManifest, gotongToolManifestSchema } from './gotongTerms.js'
import {
  type ManifestContext,
  manifestLimits,
  type ToolManifest,
  toolManifestSchema,
} from './toolManifest.js'

export type ParseToolManifestOptions = ManifestContext & {
  /** Also require gotong's pricing entry and terms extension. */
  gotong?: boolean
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Validates a manifest given as a value, a JSON string or the raw served bytes, enforcing
 * every ERC-8257 rule (bytes: no BOM, UTF-8, ≤ 1 MiB). Returns the manifest exactly as given,
 * never re-normalized, so its hash is the hash of what was served.
 *
 * @throws InvalidManifestError with one stable rule code per violation
 * @example const manifest = parseToolManifest(bytes, { chainId: 31337 })
 */
export function parseToolManifest(
  input: unknown,
  options: ParseToolManifestOptions & { gotong: true },
): GotongToolManifest
export function parseToolManifest(input: unknown, options?: ParseToolManifestOptions): ToolManifest
export function parseToolManifest(
  input: unknown,
  options: ParseToolManifestOptions = {},
): ToolManifest {
  const value =
    input instanceof Uint8Array || typeof input === 'string' ? decodeManifest(input) : input
  const schema = options.gotong ? gotongToolManifestSchema(options) : toolManifestSchema(options)
  const result = schema.safeParse(value)
  if (!result.success)
    throw new InvalidManifestError(toValidationIssues(result.error.issues, value))
  if (canonicalBytes(value).length > manifestLimits.bytes) fail('too_large', 'exceeds 1 MiB')
  return value as ToolManifest
}

/**
 * `keccak256` of the RFC 8785 canonical bytes: the id ERC-8257 registries store on chain.
 * Validates first, so an invalid manifest never gets a hash.
 *
 * @example manifestHash(manifest) // '0x7866…5af0'
 */
export function manifestHash(manifest: unknown, options: ParseToolManifestOptions = {}): Hex {
  return contentHash(parseToolManifest(manifest, options))
}

function decodeManifest(input: Uint8Array | string): unknown {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input
  if (bytes.length > manifestLimits.bytes) fail('too_large', 'exceeds 1 MiB')
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    fail('bom', 'must be served as UTF-8 without a byte-order mark')
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    return fail('invalid_utf8', 'is not valid UTF-8')
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    return fail('invalid_json', `is not JSON (${(error as Error).message})`)
  }
}

function fail(rule: string, message: string): never {
  throw new InvalidManifestError([{ rule, path: '', message }])
}
