// The protocol's test vectors (vectors/*.json at the repository root, described in PROTOCOL.md)
// against core's code: the same bytes, or the document, the vectors and the code have drifted.
import { readFileSync } from 'node:fs'
import {
  type Hex,
  hashStruct,
  hashTypedData,
  keccak256,
  parseSignature,
  recoverTypedDataAddress,
  stringToBytes,
  type TypedDataDomain,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import {
  Accept,
  Agreement,
  agreementTypes,
  bigintReplacer,
  CallForProposals,
  Countersignature,
  canonicalBytes,
  canonicalJson,
  contentHash,
  gotongDomain,
  hashAgreement,
  InvalidManifestError,
  manifestChanges,
  manifestHash,
  Proposal,
  parseToolManifest,
  parseWith,
  Receipt,
  receiptTypes,
  rejectReasons,
  SignedVoucher,
  toolModelOf,
  toToolRef,
  Voucher,
  voucherTypes,
  WireError,
  wireReasons,
} from '../src/index.js'

// biome-ignore lint/suspicious/noExplicitAny: vectors are plain JSON, checked field by field
type Json = any
const vector = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../../vectors/${name}.json`, import.meta.url), 'utf8'))
/** The wire form of a parsed value: bigints as decimal strings. */
const wire = (value: unknown) => JSON.parse(JSON.stringify(value, bigintReplacer))
const domainOf = (domain: { chainId: number; verifyingContract: Hex }) => gotongDomain(domain)
/** keccak256 of an EIP-712 type's encoding, `Name(type name,…)`, from core's type table. */
const typeHash = (types: Record<string, readonly { name: string; type: string }[]>) => {
  const [name, fields] = Object.entries(types)[0]!
  return keccak256(stringToBytes(`${name}(${fields.map((f) => `${f.type} ${f.name}`).join(',')})`))
}

describe('protocol vectors: manifest', () => {
  const v = vector('manifest')

  test('canonical JSON, its bytes and the manifest hash', () => {
    const manifest = parseToolManifest(v.manifest, { chainId: 31337, gotong: true })
    expect(canonicalJson(manifest)).toBe(v.canonicalJson)
    expect(canonicalBytes(manifest).length).toBe(v.canonicalByteLength)
    expect(manifestHash(manifest, { chainId: 31337, gotong: true })).toBe(v.manifestHash)
    // The bytes as published in ManifestPublished parse to the same manifest and hash.
    expect(manifestHash(new TextEncoder().encode(v.canonicalJson), { chainId: 31337 })).toBe(
      v.manifestHash,
    )
  })

  test('the ERC-8257 tool reference', () => {
    const { chainId, registry, toolId, ref } = v.toolRef
    expect(toToolRef(chainId, registry, BigInt(toolId))).toBe(ref)
  })
})

describe('protocol vectors: the model behind a tool', () => {
  const v = vector('model')

  test('each version: canonical JSON, its bytes, the manifest hash and the model it names', () => {
    for (const entry of v.versions) {
      const manifest = parseToolManifest(entry.manifest, { chainId: 31337, gotong: true })
      expect(canonicalJson(manifest)).toBe(entry.canonicalJson)
      expect(canonicalBytes(manifest).length).toBe(entry.canonicalByteLength)
      expect(manifestHash(new TextEncoder().encode(entry.canonicalJson))).toBe(entry.manifestHash)
      expect(toolModelOf(manifest)).toEqual(entry.manifest['dev.gotong.model'])
    }
  })

  test('version 1 to 2 changed the model only', () => {
    const [before, after] = v.versions
    expect(manifestChanges(before.manifest, after.manifest)).toEqual(v.changes)
  })

  test('each malformed model block is refused with its rule codes and paths', () => {
    const manifest = v.versions[0].manifest
    for (const { model, issues } of v.invalid) {
      const error = (() => {
        try {
          return parseToolManifest({ ...manifest, 'dev.gotong.model': model })
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(InvalidManifestError)
      expect(
        (error as InvalidManifestError).issues.map(({ rule, path }) => ({ rule, path })),
      ).toEqual(issues)
    }
  })
})

describe('protocol vectors: agreement', () => {
  const v = vector('agreement')
  const domain = domainOf(v.domain)
  const agreement = parseWith(Agreement, v.agreement, 'agreement')

  test('domain, types and the terms hash', () => {
    expect(domain).toEqual(v.domain)
    expect(wire(agreementTypes)).toEqual(v.types)
    expect(typeHash(agreementTypes)).toBe(v.typeHash)
    expect(hashStruct({ data: agreement, primaryType: 'Agreement', types: agreementTypes })).toBe(
      v.structHash,
    )
    expect(hashAgreement(agreement, domain)).toBe(v.termsHash)
    expect(wire(agreement)).toEqual(v.agreement)
  })

  test('both signatures, as an EIP-712 signer makes them', async () => {
    const typed = { domain, types: agreementTypes, primaryType: 'Agreement', message: agreement }
    for (const [who, signature] of [
      ['consumer', v.consumerSignature],
      ['provider', v.providerSignature],
    ] as const) {
      const account = privateKeyToAccount(v.accounts[who].privateKey)
      expect(account.address).toBe(v.accounts[who].address)
      expect(await account.signTypedData(typed as never)).toBe(signature)
      expect(await recoverTypedDataAddress({ ...typed, signature } as never)).toBe(account.address)
    }
  })

  test('the negotiation messages parse and are written back byte for byte', () => {
    const { cfp, proposal, accept, countersign } = v.messages
    for (const [schema, message] of [
      [CallForProposals, cfp],
      [Proposal, proposal],
      [Accept, accept],
      [Countersignature, countersign],
    ] as const)
      expect(wire(parseWith(schema, message, message.type))).toEqual(message)
    expect(parseWith(Accept, accept, 'accept').agreement).toEqual(agreement)
  })
})

describe('protocol vectors: voucher and receipt', () => {
  test('voucher digests and the payer’s signatures', async () => {
    const v = vector('voucher')
    const domain = domainOf(v.domain)
    expect(wire(voucherTypes)).toEqual(v.types)
    expect(typeHash(voucherTypes)).toBe(v.typeHash)
    const payer = privateKeyToAccount(v.accounts.consumer.privateKey)
    for (const entry of v.vouchers) {
      const voucher = parseWith(Voucher, entry.voucher, 'voucher')
      const typed = {
        domain,
        types: voucherTypes,
        primaryType: 'Voucher',
        message: voucher,
      } as const
      expect(hashTypedData(typed)).toBe(entry.digest)
      expect(await payer.signTypedData(typed)).toBe(entry.signature)
      const signed = { voucher: entry.voucher, signature: entry.signature }
      expect(wire(parseWith(SignedVoucher, signed, 'signed voucher'))).toEqual(signed)
    }
  })

  test('the receipt digest and the payee’s signature', async () => {
    const v = vector('receipt')
    const domain = domainOf(v.domain)
    expect(wire(receiptTypes)).toEqual(v.types)
    const receipt = parseWith(Receipt, v.receipt, 'receipt')
    expect(wire(receipt)).toEqual(v.receipt)
    const typed = { domain, types: receiptTypes, primaryType: 'Receipt', message: receipt } as const
    expect(hashTypedData(typed)).toBe(v.digest)
    const payee = privateKeyToAccount(v.accounts.provider.privateKey)
    expect(await payee.signTypedData(typed)).toBe(v.signature)
    // The call's answer carries the call's output and this receipt.
    expect(v.answer).toEqual({
      result: {
        output: vector('call').output,
        receipt: { receipt: v.receipt, signature: v.signature },
      },
    })
  })

  test('the permit of openWithPermit is EIP-2612’s', async () => {
    const v = vector('permit')
    const typed = {
      domain: v.domain as TypedDataDomain,
      types: v.types,
      primaryType: 'Permit',
      message: v.permit,
    }
    expect(hashTypedData(typed as never)).toBe(v.digest)
    const owner = privateKeyToAccount(v.accounts.consumer.privateKey)
    expect(await owner.signTypedData(typed as never)).toBe(v.signature)
    const { r, s, v: recovery } = parseSignature(v.signature)
    expect({ v: Number(recovery), r, s }).toEqual({ v: v.v, r: v.r, s: v.s })
  })
})

describe('protocol vectors: content hashes', () => {
  test('body hashes of envelopes', () => {
    const [call, cfp] = vector('envelope').envelopes
    expect([call.request.body, cfp.request.body]).toEqual([
      vector('call').body,
      vector('agreement').messages.cfp,
    ])
    // A paid call's body hash leaves out the payment, whose voucher authenticates the request.
    const { payment, ...unpaid } = call.request.body
    expect(call.authenticatedBy).toBe('payment')
    expect(payment.voucher.envelopeHash).toBe(call.structHash)
    expect(canonicalJson(unpaid)).toBe(call.canonicalBody)
    expect(contentHash(unpaid)).toBe(call.bodyHash)
    expect(canonicalJson(cfp.request.body)).toBe(cfp.canonicalBody)
    expect(contentHash(cfp.request.body)).toBe(cfp.bodyHash)
  })

  test('request and response hashes of a paid call', () => {
    const v = vector('call')
    const preimage = { tool: v.tool, termsHash: v.termsHash, input: v.input }
    expect(canonicalJson(preimage)).toBe(v.requestCanonical)
    expect(contentHash(preimage)).toBe(v.requestHash)
    expect(canonicalJson(v.output)).toBe(v.responseCanonical)
    expect(contentHash(v.output)).toBe(v.responseHash)
  })
})

describe('protocol vectors: errors', () => {
  const v = vector('errors')

  test('every wire reason keeps its status; negotiation refusals keep theirs', () => {
    expect(wireReasons).toEqual(v.wireReasons)
    expect(rejectReasons).toEqual(v.rejectReasons)
  })

  test('the error body', () => {
    const { status, body } = v.example
    const error = WireError.fromPayload(body.error)
    expect(error.wireCode).toBe(status)
    expect(wireReasons[body.error.reason as keyof typeof wireReasons]).toBe(status)
    expect(error.toPayload()).toEqual(body.error)
  })
})

describe('protocol vectors: one paid call, told the same way in every file', () => {
  test('agreement → channel → voucher → call → receipt', () => {
    const [agreement, channel, voucher, call, receipt, permit, errors] = [
      'agreement',
      'channel',
      'voucher',
      'call',
      'receipt',
      'permit',
      'errors',
    ].map(vector)
    const { termsHash } = agreement
    expect(channel.key).toMatchObject({
      payer: agreement.agreement.consumer,
      payee: agreement.agreement.provider,
      token: agreement.agreement.token,
    })
    expect(channel.fund).toEqual({ termsHash, key: channel.key })
    expect(permit.openWithPermit.key).toEqual(channel.key)
    for (const entry of voucher.vouchers) {
      expect(entry.voucher).toMatchObject({ channelId: channel.channelId, termsHash })
      expect(entry.payment).toEqual({
        scheme: 'gotong-channel',
        chainId: voucher.domain.chainId,
        channels: voucher.domain.verifyingContract,
        voucher: entry.voucher,
        signature: entry.signature,
      })
    }
    expect(call.body).toEqual({
      termsHash,
      input: call.input,
      payment: voucher.vouchers[0].payment,
    })
    expect(receipt.receipt).toMatchObject({
      termsHash,
      channelId: channel.channelId,
      calls: voucher.vouchers[0].voucher.calls,
      cumulativeAmount: voucher.vouchers[0].voucher.cumulativeAmount,
      requestHash: call.requestHash,
      responseHash: call.responseHash,
    })
    expect(errors.example.body.error.data.receipt).toEqual({
      receipt: receipt.receipt,
      signature: receipt.signature,
    })
    expect(errors.example.body.error.data.highest).toEqual({
      calls: receipt.receipt.calls,
      cumulativeAmount: receipt.receipt.cumulativeAmount,
    })
    for (const domain of [voucher.domain, receipt.domain]) expect(domain).toEqual(agreement.domain)
  })

  test('every account named is the one its key makes', () => {
    for (const name of ['agreement', 'envelope', 'permit', 'receipt', 'voucher'])
      for (const { privateKey, address } of Object.values<Json>(vector(name).accounts))
        expect(privateKeyToAccount(privateKey).address).toBe(address)
  })
})
