import {
  AddressSchema,
  Bytes32,
  gotongDomainName,
  gotongDomainVersion,
  Signature,
} from '@gotong/core'
import type { Address, Hex, TypedDataDomain } from 'viem'
import { z } from 'zod'

/**
 * EIP-712 types of a request envelope. `route` and `idempotencyKey` are signed so a request can
 * be neither re-aimed at another handler nor merged into another request's cached answer; an
 * empty `idempotencyKey` means none.
 */
export const envelopeTypes = {
  Envelope: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'route', type: 'string' },
    { name: 'nonce', type: 'bytes32' },
    { name: 'expiresAt', type: 'uint64' },
    { name: 'bodyHash', type: 'bytes32' },
    { name: 'idempotencyKey', type: 'string' },
  ],
} as const

/**
 * The EIP-712 domain of envelopes: gotong's name and version on one chain. It has no verifying
 * contract (messages are not checked on chain), so no envelope is valid on another chain, and
 * none can pass for a voucher, agreement or receipt, whose domain differs.
 *
 * @example envelopeDomain(31337) // { name: 'gotong', version: '1', chainId: 31337 }
 */
export function envelopeDomain(chainId: number) {
  return {
    name: gotongDomainName,
    version: gotongDomainVersion,
    chainId,
  } as const satisfies TypedDataDomain
}

/** A route name: path-safe segments joined by `/` (`negotiate/cfp`, `tools/echo.v1`). */
export const Route = z
  .string()
  .max(128, 'route is at most 128 characters')
  .regex(
    /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*$/,
    'route must be path segments of letters, digits and . _ ~ - joined by /',
  )
export type Route = z.output<typeof Route>

/** A caller-chosen key that makes retries of one request answer with its first result. */
export const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,128}$/, 'idempotency key is 1 to 128 printable ASCII characters')
export type IdempotencyKey = z.output<typeof IdempotencyKey>

/**
 * The signed header of a request. `expiresAt` is Unix time in milliseconds; `bodyHash` is
 * `keccak256` of the RFC 8785 canonical JSON of the body; `chainId` selects the EIP-712 domain.
 */
export const Envelope = z.strictObject({
  from: AddressSchema,
  to: AddressSchema,
  route: Route,
  chainId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  nonce: Bytes32,
  expiresAt: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  bodyHash: Bytes32,
  idempotencyKey: IdempotencyKey.optional(),
})
export type Envelope = z.output<typeof Envelope>

/**
 * A request as it travels: the envelope, the sender's EIP-712 signature of it, and the body.
 * `signature` is null on a route whose body carries the sender's authentication instead (a paid
 * call: its voucher signs the envelope's struct hash).
 */
export const SignedRequest = z.strictObject({
  envelope: Envelope,
  signature: Signature.nullable(),
  body: z.unknown(),
})
export type SignedRequest = z.output<typeof SignedRequest>

/** The EIP-712 message an envelope signs (what a `Signer` receives). */
export type EnvelopeMessage = {
  from: Address
  to: Address
  route: string
  nonce: Hex
  expiresAt: bigint
  bodyHash: Hex
  idempotencyKey: string
}

/** The EIP-712 request a typed-data signer (a wallet, viem's `LocalAccount`) gets for an envelope. */
export type EnvelopeTypedData = {
  domain: ReturnType<typeof envelopeDomain>
  types: typeof envelopeTypes
  primaryType: 'Envelope'
  message: EnvelopeMessage
}

/**
 * Anything that can sign an envelope: a viem `LocalAccount` (`privateKeyToAccount(key)`), a
 * wrapper around a wallet, KMS or hardware key, or a raw-digest signer such as
 * `privateKeySigner(key)` from `@gotong/payments`. When a signer has `signDigest`, the envelope's
 * EIP-712 digest is computed here (precomputed domain, native keccak) and signed with it, which
 * is several times cheaper than a generic `signTypedData`; the signature is the same.
 *
 * @example const signer: Signer = privateKeyToAccount(privateKey)
 */
export type Signer =
  | {
      readonly address: Address
      signTypedData(parameters: EnvelopeTypedData): Promise<Hex>
      /** Signs a 32-byte digest as is (no prefix), low-s, `v` of 27/28. */
      signDigest?: ((digest: Uint8Array) => Hex | Promise<Hex>) | undefined
    }
  | {
      readonly address: Address
      /** Signs a 32-byte digest as is (no prefix), low-s, `v` of 27/28. */
      signDigest(digest: Uint8Array): Hex | Promise<Hex>
    }

/**
 * How a request authenticates through its body instead of an envelope signature: the body's
 * top-level `field` (a paid call's `payment`) is left out of `bodyHash` and carries a signature
 * over the envelope's struct hash (`envelopeHash`), by the envelope's `from`.
 */
export type BodyAuthentication = {
  /** The top-level body field that carries the authentication. */
  readonly field: string
}
