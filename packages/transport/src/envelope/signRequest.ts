import { bigintReplacer, contentHash, InvalidInputError, parseWith } from '@gotong/core'
import { type Address, bytesToHex, getAddress, type Hex } from 'viem'
import { createEnvelopeDigester, type EnvelopeDigester } from './createEnvelopeDigester.js'
import {
  type BodyAuthentication,
  type Envelope,
  envelopeDomain,
  envelopeTypes,
  IdempotencyKey,
  Route,
  type SignedRequest,
  type Signer,
} from './types.js'

export type SignRequestParameters = {
  chainId: number
  /** The agent the request is for; any other agent refuses it. */
  to: Address
  route: string
  /** Any JSON value; bigints are sent as decimal strings, as gotong schemas expect. */
  body: unknown
  /** Unix time in milliseconds after which the request is refused. */
  expiresAt: number
  /** 32 random bytes by default; a receiver accepts each (sender, nonce) once. */
  nonce?: Hex | undefined
  idempotencyKey?: string | undefined
  /**
   * For a route authenticated by its body (a paid call): `attach` gets the envelope's struct
   * hash and returns the body's `field` (the payment, whose voucher signs that hash); the
   * envelope itself goes unsigned and `bodyHash` leaves `field` out.
   */
  authenticate?: BodyAttachment | undefined
}

/** What the sender of a body-authenticated request provides (see `SignRequestParameters`). */
export type BodyAttachment = BodyAuthentication & {
  attach(envelopeHash: Hex): unknown
}

/**
 * Signs a request: hashes the canonical JSON of the body and has the signer sign the EIP-712
 * envelope (its digest, when the signer has `signDigest`). The returned body is the JSON form
 * that was hashed (bigints as strings). With `authenticate`, the body's own authenticator is
 * attached over the envelope's struct hash instead, and the envelope is sent unsigned.
 *
 * @example
 * const request = await signRequest(account, {
 *   chainId: 31337, to: provider, route: 'negotiate/cfp', body: cfp, expiresAt: Date.now() + 30_000,
 * })
 */
export async function signRequest(
  signer: Signer,
  parameters: SignRequestParameters,
): Promise<SignedRequest> {
  const auth = parameters.authenticate
  let body = toJson(parameters.body)
  if (auth && (body === null || typeof body !== 'object' || Array.isArray(body)))
    throw new InvalidInputError('request body', [
      { rule: 'not_an_object', path: '', message: `must be an object to carry ${auth.field}` },
    ])
  if (auth) {
    const { [auth.field]: _, ...rest } = body as Record<string, unknown>
    body = rest
  }
  const route = parseWith(Route, parameters.route, 'route')
  const idempotencyKey =
    parameters.idempotencyKey === undefined
      ? undefined
      : parseWith(IdempotencyKey, parameters.idempotencyKey, 'idempotency key')
  const envelope: Envelope = {
    from: getAddress(signer.address),
    to: getAddress(parameters.to),
    route,
    chainId: parameters.chainId,
    nonce: parameters.nonce ?? randomNonce(),
    expiresAt: parameters.expiresAt,
    bodyHash: contentHash(body),
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  }
  if (auth) {
    const envelopeHash = bytesToHex(digesterFor(envelope.chainId).structHash(envelope))
    const value = toJson(await auth.attach(envelopeHash))
    return { envelope, signature: null, body: { ...(body as object), [auth.field]: value } }
  }
  const signature = await sign(signer, envelope)
  return { envelope, signature, body }
}

/** The signer's signature of the envelope: of its digest when it can, else of the typed data. */
async function sign(signer: Signer, envelope: Envelope): Promise<Hex> {
  if (signer.signDigest) return signer.signDigest(digesterFor(envelope.chainId).digest(envelope))
  if ('signTypedData' in signer)
    return signer.signTypedData({
      domain: envelopeDomain(envelope.chainId),
      types: envelopeTypes,
      primaryType: 'Envelope',
      message: {
        from: envelope.from,
        to: envelope.to,
        route: envelope.route,
        nonce: envelope.nonce,
        expiresAt: BigInt(envelope.expiresAt),
        bodyHash: envelope.bodyHash,
        idempotencyKey: envelope.idempotencyKey ?? '',
      },
    })
  throw new InvalidInputError('signer', [
    { rule: 'not_a_signer', path: '', message: 'has neither signDigest nor signTypedData' },
  ])
}

/** One digester per chain, made on first use: a process signs for very few chains. */
const digesters = new Map<number, EnvelopeDigester>()
function digesterFor(chainId: number): EnvelopeDigester {
  let digester = digesters.get(chainId)
  if (!digester) {
    digester = createEnvelopeDigester(chainId)
    digesters.set(chainId, digester)
  }
  return digester
}

function toJson(value: unknown): unknown {
  if (value === undefined) return null
  try {
    return JSON.parse(JSON.stringify(value, bigintReplacer))
  } catch (cause) {
    throw new InvalidInputError('request body', [
      { rule: 'not_json', path: '', message: `is not representable as JSON (${String(cause)})` },
    ])
  }
}

/** Random bytes drawn 8 KiB at a time (one call per 256 nonces); each byte is used once. */
const pool = new Uint8Array(8192)
let drawn = pool.length

function randomNonce(): Hex {
  if (drawn === pool.length) {
    crypto.getRandomValues(pool)
    drawn = 0
  }
  drawn += 32
  return bytesToHex(pool.subarray(drawn - 32, drawn))
}
