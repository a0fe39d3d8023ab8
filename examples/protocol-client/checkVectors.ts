// Before talking to anyone, this client checks its own reading of PROTOCOL.md against the
// published test vectors, as any third-party implementation should.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { type Hex, hashTypedData, type LocalAccount } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import {
  type AgreementWire,
  agreementMessage,
  agreementNonceOf,
  channelIdOf,
  contentHash,
  gotongDomain,
  jcs,
  proposalIdOf,
  requestHashOf,
  typesOf,
} from './protocol.js'
import { signRequest } from './transport.js'

// biome-ignore lint/suspicious/noExplicitAny: vectors are plain JSON, checked field by field
type Json = any
const vector = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../vectors/${name}.json`, import.meta.url), 'utf8'))

/** Throws on the first formula that does not reproduce its vector; returns how many held. */
export async function checkVectors(): Promise<number> {
  let held = 0
  const equal = (actual: unknown, expected: unknown, what: string) => {
    assert.deepEqual(actual, expected, `vector ${what}`)
    held++
  }

  const manifest = vector('manifest')
  equal(jcs(manifest.manifest), manifest.canonicalJson, 'manifest canonical JSON')
  equal(contentHash(manifest.manifest), manifest.manifestHash, 'manifest hash')

  const agreement = vector('agreement')
  const { cfpId, payee, round, proposalId, nonce } = agreement.derivation
  equal(proposalIdOf(cfpId, payee, round), proposalId, 'proposal id')
  equal(agreementNonceOf(cfpId, proposalId), nonce, 'agreement nonce')
  const domain = gotongDomain(agreement.domain.chainId, agreement.domain.verifyingContract)
  const typedAgreement = {
    domain,
    types: typesOf('Agreement'),
    primaryType: 'Agreement',
    message: agreementMessage(agreement.agreement as AgreementWire),
  } as const
  equal(hashTypedData(typedAgreement), agreement.termsHash, 'terms hash')
  const consumer: LocalAccount = privateKeyToAccount(agreement.accounts.consumer.privateKey)
  equal(await consumer.signTypedData(typedAgreement), agreement.consumerSignature, 'agreement')

  const channel = vector('channel')
  equal(
    channelIdOf(channel.chainId, channel.paymentChannels, channel.key),
    channel.channelId,
    'channel id',
  )

  for (const entry of vector('voucher').vouchers) {
    const typed = {
      domain,
      types: typesOf('Voucher'),
      primaryType: 'Voucher',
      message: {
        ...entry.voucher,
        cumulativeAmount: BigInt(entry.voucher.cumulativeAmount),
        calls: BigInt(entry.voucher.calls),
      },
    } as const
    equal(hashTypedData(typed), entry.digest, 'voucher digest')
    equal(await consumer.signTypedData(typed), entry.signature, 'voucher signature')
  }

  const call = vector('call')
  equal(requestHashOf(call.tool, call.termsHash, call.input), call.requestHash, 'request hash')
  equal(contentHash(call.output), call.responseHash, 'response hash')

  const receipt = vector('receipt')
  const r = receipt.receipt
  const typedReceipt = {
    domain,
    types: typesOf('Receipt'),
    primaryType: 'Receipt',
    message: {
      ...r,
      calls: BigInt(r.calls),
      cumulativeAmount: BigInt(r.cumulativeAmount),
      servedAt: BigInt(r.servedAt),
    },
  } as const
  equal(hashTypedData(typedReceipt), receipt.digest, 'receipt digest')

  const permit = vector('permit')
  const p = permit.permit
  const typedPermit = {
    domain: permit.domain,
    types: typesOf('Permit'),
    primaryType: 'Permit',
    message: { ...p, value: BigInt(p.value), nonce: BigInt(p.nonce), deadline: BigInt(p.deadline) },
  } as const
  equal(hashTypedData(typedPermit), permit.digest, 'permit digest')

  for (const entry of vector('envelope').envelopes) {
    const { envelope, body } = entry.request
    // A paid call: the payment (voucher 1) signs the envelope's struct hash, which it names.
    const pay =
      entry.authenticatedBy === 'payment'
        ? async (envelopeHash: Hex) => {
            equal(envelopeHash, entry.structHash, 'envelope struct hash')
            return body.payment
          }
        : undefined
    const signed = await signRequest(consumer, { ...envelope, body, pay })
    equal(signed, entry.request, `envelope (${entry.label})`)
  }
  return held
}
