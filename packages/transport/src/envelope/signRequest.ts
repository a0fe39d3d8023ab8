import { bigintReplacer, contentHash, InvalidInputError, parseWith } from '@gotong/core'
import { type Address, bytesToHex, getAddress, type Hex } from 'viem'
import {
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
}

/**
 * Signs a request: hashes the canonical JSON of the body and has the signer sign the EIP-712
 * envelope. The returned body is the JSON form that was hashed (bigints as strings).
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
  const body = toJson(parameters.body)
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
  const signature = await signer.signTypedData({
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
  return { envelope, signature, body }
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

function randomNonce(): Hex {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)))
}
