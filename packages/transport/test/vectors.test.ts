// The envelope vectors (vectors/envelope.json at the repository root, described in PROTOCOL.md)
// against the transport's code: digests, signatures and the request on the wire, byte for byte.
import { readFileSync } from 'node:fs'
import { gotongDomain, voucherTypes } from '@gotong/core'
import { bytesToHex, type Hex, hashStruct, recoverTypedDataAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import {
  createEnvelopeDigester,
  createTransportServer,
  Envelope,
  envelopeDomain,
  envelopeTypes,
  signRequest,
} from '../src/index.js'
import { serveHttp } from '../src/node.js'

// biome-ignore lint/suspicious/noExplicitAny: vectors are plain JSON, checked field by field
type Json = any
const v: Json = JSON.parse(
  readFileSync(new URL('../../../vectors/envelope.json', import.meta.url), 'utf8'),
)
const consumer = privateKeyToAccount(v.accounts.consumer.privateKey)
const digester = createEnvelopeDigester(v.domain.chainId)

/**
 * What a paid route checks of the body's payment, written here with viem alone: its voucher
 * binds this envelope and recovers the payer.
 */
const voucherVerifier = {
  field: 'payment',
  async verify(payment: Json, envelopeHash: Hex) {
    expect(payment.voucher.envelopeHash).toBe(envelopeHash)
    const signer = await recoverTypedDataAddress({
      domain: gotongDomain({ chainId: payment.chainId, verifyingContract: payment.channels }),
      types: voucherTypes,
      primaryType: 'Voucher',
      message: {
        ...payment.voucher,
        cumulativeAmount: BigInt(payment.voucher.cumulativeAmount),
        calls: BigInt(payment.voucher.calls),
      },
      signature: payment.signature,
    })
    return { signer }
  },
}

describe('protocol vectors: envelopes', () => {
  test('domain, types and domain separator', () => {
    expect(envelopeDomain(v.domain.chainId)).toEqual(v.domain)
    expect(envelopeTypes).toEqual(v.types)
    expect(bytesToHex(digester.domainSeparator)).toBe(v.domainSeparator)
  })

  test.for(v.envelopes as Json[])(
    '$label: digest, signature and the request as sent',
    async (entry) => {
      const { envelope, body } = entry.request
      const message = {
        ...envelope,
        expiresAt: BigInt(envelope.expiresAt),
        idempotencyKey: envelope.idempotencyKey ?? '',
      }
      expect(hashStruct({ data: message, primaryType: 'Envelope', types: envelopeTypes })).toBe(
        entry.structHash,
      )
      expect(bytesToHex(digester.structHash(Envelope.parse(envelope)))).toBe(entry.structHash)
      // A paid call goes unsigned: its payment, signed for the struct hash, is attached instead.
      const paid = entry.authenticatedBy === 'payment'
      if (!paid) expect(bytesToHex(digester.digest(Envelope.parse(envelope)))).toBe(entry.digest)
      const { payment, ...unpaid } = body
      const request = await signRequest(consumer, {
        chainId: envelope.chainId,
        to: envelope.to,
        route: envelope.route,
        body: paid ? unpaid : body,
        expiresAt: envelope.expiresAt,
        nonce: envelope.nonce as Hex,
        idempotencyKey: envelope.idempotencyKey,
        ...(paid
          ? {
              authenticate: {
                field: 'payment',
                attach: (envelopeHash: Hex) => {
                  expect(envelopeHash).toBe(entry.structHash)
                  return payment
                },
              },
            }
          : {}),
      })
      expect(request).toEqual(entry.request)
      expect(request.signature).toBe(entry.signature)
      expect(request.envelope.bodyHash).toBe(entry.bodyHash)
    },
  )

  test('a server takes each request as it is written, over HTTP, and refuses a changed byte', async () => {
    const server = createTransportServer({
      address: v.envelopes[0].request.envelope.to,
      chainId: v.domain.chainId,
      now: () => v.envelopes[0].request.envelope.expiresAt - 1_000,
    })
    for (const entry of v.envelopes)
      server.handle(
        entry.request.envelope.route,
        z.unknown(),
        (body, { from }) => ({ from, body }),
        entry.authenticatedBy === 'payment' ? { authenticate: voucherVerifier } : {},
      )
    const { url, close } = await serveHttp(server)
    try {
      for (const entry of v.envelopes) {
        const post = (text: string) =>
          fetch(`${url}/${entry.request.envelope.route}`, { method: 'POST', body: text })
        const response = await post(JSON.stringify(entry.request))
        expect(response.status).toBe(200)
        expect(await response.json()).toEqual({
          result: { from: consumer.address, body: entry.request.body },
        })
        const forged =
          entry.authenticatedBy === 'payment'
            ? {
                ...entry.request,
                body: { ...entry.request.body, input: { ...entry.request.body.input, value: 2 } },
              }
            : { ...entry.request, signature: `${entry.signature.slice(0, -4)}ffff` }
        const refused = await post(JSON.stringify(forged))
        expect(refused.status).toBe(401)
        expect(((await refused.json()) as Json).error.reason).toBe('invalid_signature')
      }
    } finally {
      await close()
    }
  })
})
