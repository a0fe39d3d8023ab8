import { WireError } from '@gotong/core'
import { type Hex, hashStruct, recoverMessageAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { signRequest } from '../envelope/signRequest.js'
import { envelopeTypes } from '../envelope/types.js'
import { createTransportServer } from './createTransportServer.js'

const provider = privateKeyToAccount(
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
)
const consumer = privateKeyToAccount(
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
)
const stranger = privateKeyToAccount(
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
)
const chainId = 31337
const now = 1_000_000

// A stand-in for a voucher: the sender's signature of the envelope's struct hash, kept apart
// from payments so the transport's part is tested alone.
type Proof = { envelopeHash: Hex; signature: Hex }

function setup() {
  const seen: unknown[] = []
  const server = createTransportServer({ address: provider.address, chainId, now: () => now })
    .handle(
      'paid',
      z.object({ text: z.string(), proof: z.unknown() }),
      (body, { from, authenticated }) => {
        seen.push(authenticated)
        return { from, text: body.text }
      },
      {
        authenticate: {
          field: 'proof',
          async verify(value, envelopeHash) {
            const proof = value as Proof
            if (proof?.envelopeHash !== envelopeHash)
              throw new WireError('invalid_signature', 'The proof is for another request', {
                data: { code: 'PROOF_MISMATCH' },
              })
            const signer = await recoverMessageAddress({
              message: { raw: envelopeHash },
              signature: proof.signature,
            })
            return { signer, proof: `verified ${signer}` }
          },
        },
      },
    )
    .handle('free', z.null(), (_body, { from }) => from)
  const request = (
    options: {
      by?: typeof consumer
      text?: string
      nonce?: Hex
      proof?: (envelopeHash: Hex) => Promise<Proof> | Proof
    } = {},
  ) =>
    signRequest(consumer, {
      chainId,
      to: provider.address,
      route: 'paid',
      body: { text: options.text ?? 'hello' },
      expiresAt: now + 30_000,
      nonce: options.nonce,
      authenticate: {
        field: 'proof',
        attach: async (envelopeHash: Hex) =>
          options.proof
            ? options.proof(envelopeHash)
            : {
                envelopeHash,
                signature: await (options.by ?? consumer).signMessage({
                  message: { raw: envelopeHash },
                }),
              },
      },
    })
  const send = async (document: unknown) => {
    const reply = await server.receive(JSON.stringify(document))
    return { status: reply.status, ...JSON.parse(reply.body) }
  }
  return { server, request, send, seen }
}

describe('a route authenticated by its body', () => {
  test('an unsigned envelope whose body signs its struct hash is served once, as its signer', async () => {
    const { request, send, seen } = setup()
    const document = await request()
    expect(document.signature).toBeNull()
    // The body hash leaves the proof out; the proof names the envelope's struct hash.
    const { from, to, route, nonce, expiresAt, bodyHash } = document.envelope
    const envelopeHash = hashStruct({
      data: { from, to, route, nonce, expiresAt: BigInt(expiresAt), bodyHash, idempotencyKey: '' },
      primaryType: 'Envelope',
      types: envelopeTypes,
    })
    expect((document.body as { proof: Proof }).proof.envelopeHash).toBe(envelopeHash)
    expect(await send(document)).toEqual({
      status: 200,
      result: { from: consumer.address, text: 'hello' },
    })
    expect(seen).toEqual([`verified ${consumer.address}`])
    expect((await send(document)).error).toMatchObject({ reason: 'replayed' })
  })

  test('refused: a proof of another request, by someone else, a changed body, a signed envelope, or an unsigned one elsewhere', async () => {
    const { request, send, seen } = setup()
    const other = await request({ text: 'another request' })
    const otherProof = (other.body as { proof: Proof }).proof
    const nonce = `0x${'11'.repeat(32)}` as Hex
    const mismatch = await send(await request({ nonce, proof: () => otherProof }))
    const bySomeoneElse = await send(await request({ by: stranger }))
    const honest = await request()
    const changed = await send({ ...honest, body: { ...(honest.body as object), text: 'changed' } })
    const signed = await send({ ...honest, signature: `0x${'ab'.repeat(65)}` })
    const free = await signRequest(consumer, {
      chainId,
      to: provider.address,
      route: 'free',
      body: null,
      expiresAt: now + 30_000,
    })
    const unsignedElsewhere = await send({ ...free, signature: null })
    expect(
      [mismatch, bySomeoneElse, changed, signed, unsignedElsewhere].map((r) => [
        r.status,
        r.error.reason,
        r.error.data?.code,
      ]),
    ).toEqual([
      [401, 'invalid_signature', 'PROOF_MISMATCH'],
      [401, 'invalid_signature', undefined],
      [401, 'invalid_signature', undefined],
      [401, 'invalid_signature', undefined],
      [401, 'invalid_signature', undefined],
    ])
    expect(seen).toEqual([])
    // A refused request spends no nonce: the same nonce, honestly proven, is served.
    expect((await send(await request({ nonce }))).status).toBe(200)
  })
})
