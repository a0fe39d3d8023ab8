// Signed requests as PROTOCOL.md §6 describes them: one JSON document per POST, an EIP-712
// envelope over the body's canonical hash, `{ result }` or `{ error }` back. A paid call (§9)
// goes unsigned: its voucher signs the envelope's struct hash instead.
import { type Address, bytesToHex, type Hex, hashStruct, type LocalAccount } from 'viem'
import { contentHash, envelopeDomain, typesOf } from './protocol.js'

/** An error reply: its HTTP status and the `{ code, reason, message, data? }` it carried. */
export class RemoteError extends Error {
  constructor(
    readonly status: number,
    readonly error: {
      code: number
      reason: string
      message: string
      data?: Record<string, unknown>
    },
  ) {
    super(`${status} ${error.reason}: ${error.message}`)
  }
}

export const randomHex = (bytes: number): Hex =>
  bytesToHex(crypto.getRandomValues(new Uint8Array(bytes)))

/**
 * The signed request document for `body` to `route` of agent `to`. With `pay`, a paid call:
 * `bodyHash` leaves the payment out, `pay` gets the envelope's struct hash and returns the
 * payment whose voucher signs it, and the envelope goes unsigned (`signature: null`).
 */
export async function signRequest(
  account: LocalAccount,
  parameters: {
    chainId: number
    to: Address
    route: string
    body: unknown
    idempotencyKey?: string | undefined
    nonce?: Hex
    expiresAt?: number
    pay?: ((envelopeHash: Hex) => Promise<unknown>) | undefined
  },
) {
  const { chainId, to, route, idempotencyKey, pay } = parameters
  const { payment: _, ...unpaid } = parameters.body as Record<string, unknown>
  const body = pay ? unpaid : parameters.body
  const envelope = {
    from: account.address,
    to,
    route,
    chainId,
    nonce: parameters.nonce ?? randomHex(32),
    expiresAt: parameters.expiresAt ?? Date.now() + 30_000,
    bodyHash: contentHash(body),
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  }
  const message = {
    ...envelope,
    expiresAt: BigInt(envelope.expiresAt),
    idempotencyKey: idempotencyKey ?? '',
  }
  if (pay) {
    const envelopeHash = hashStruct({
      data: message,
      primaryType: 'Envelope',
      types: typesOf('Envelope'),
    })
    return { envelope, signature: null, body: { ...unpaid, payment: await pay(envelopeHash) } }
  }
  const signature = await account.signTypedData({
    domain: envelopeDomain(chainId),
    types: typesOf('Envelope'),
    primaryType: 'Envelope',
    message,
  })
  return { envelope, signature, body }
}

/** A peer: an agent's address and base URL, and the signer we talk to it as. */
export type Peer = { account: LocalAccount; chainId: number; address: Address; baseUrl: string }

/** POSTs one signed request; resolves to `result`, rejects with a `RemoteError`. */
export async function post<Result>(
  peer: Peer,
  route: string,
  body: unknown,
  options: { idempotencyKey?: string; pay?: (envelopeHash: Hex) => Promise<unknown> } = {},
): Promise<Result> {
  const request = await signRequest(peer.account, {
    chainId: peer.chainId,
    to: peer.address,
    route,
    body,
    idempotencyKey: options.idempotencyKey,
    pay: options.pay,
  })
  const response = await fetch(`${peer.baseUrl}/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  })
  const reply = (await response.json()) as { result?: Result; error?: RemoteError['error'] }
  if (response.status === 200 && reply.error === undefined) return reply.result as Result
  throw new RemoteError(response.status, reply.error!)
}
