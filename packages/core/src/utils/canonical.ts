import canonicalize from 'canonicalize'
import { bytesToHex, type Hex } from 'viem'
import { InvalidInputError } from '../errors/validation.js'
import { keccak256Bytes } from './keccak.js'

const encoder = new TextEncoder()

/**
 * RFC 8785 (JCS) canonical JSON of a value, via the `canonicalize` package that ERC-8257
 * names, so gotong's hashes agree with every other conformant client.
 *
 * @example canonicalJson({ b: 1, a: 2 }) // '{"a":2,"b":1}'
 */
export function canonicalJson(value: unknown): string {
  let out: string | undefined
  try {
    out = canonicalize(value)
  } catch (cause) {
    throw new InvalidInputError('JSON value', [
      { rule: 'not_json', path: '', message: `cannot be canonicalized (${String(cause)})` },
    ])
  }
  if (out === undefined)
    throw new InvalidInputError('JSON value', [
      { rule: 'not_json', path: '', message: 'is not representable as JSON' },
    ])
  return out
}

/** The UTF-8 bytes of the canonical JSON. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalJson(value))
}

/**
 * `keccak256(JCS(value))`: the content hash used for manifests, agent cards and terms.
 *
 * @example contentHash(manifest) // '0x7866…5af0'
 */
export function contentHash(value: unknown): Hex {
  return bytesToHex(keccak256Bytes(canonicalBytes(value)))
}
