import type { Address, Hex, TypedDataDomain } from 'viem'
import { hashTypedData } from 'viem'
import { z } from 'zod'
import { AddressSchema, Bytes32, Signature, Uint32, Uint64, Uint256 } from '../utils/scalars.js'

/** The EIP-712 domain name shared by every gotong signature. */
export const gotongDomainName = 'gotong'
/** The EIP-712 domain version. */
export const gotongDomainVersion = '1'

/**
 * gotong's EIP-712 domain. `verifyingContract` is the PaymentChannels contract: vouchers are
 * checked there on chain, and agreements and receipts are bound to the same deployment, so no
 * signature is valid on another chain or another gotong deployment.
 *
 * @example gotongDomain({ chainId: 31337, verifyingContract: deployments.paymentChannels })
 */
export function gotongDomain(parameters: { chainId: number; verifyingContract: Address }) {
  return {
    name: gotongDomainName,
    version: gotongDomainVersion,
    chainId: parameters.chainId,
    verifyingContract: parameters.verifyingContract,
  } as const satisfies TypedDataDomain
}

/**
 * EIP-712 types of a channel voucher: cumulative amount and calls, bound to the terms and to the
 * request it pays for (`envelopeHash`, zero for a voucher made without a request).
 */
export const voucherTypes = {
  Voucher: [
    { name: 'channelId', type: 'bytes32' },
    { name: 'cumulativeAmount', type: 'uint256' },
    { name: 'calls', type: 'uint64' },
    { name: 'termsHash', type: 'bytes32' },
    { name: 'envelopeHash', type: 'bytes32' },
  ],
} as const

/** The `envelopeHash` of a voucher made without a request (a close, a top-up, x402, A2A). */
export const noEnvelopeHash =
  '0x0000000000000000000000000000000000000000000000000000000000000000' as const

/**
 * A payment voucher. Cumulative: the newest supersedes all earlier ones, so a payee keeps one.
 * `calls` counts calls for quotas; `termsHash` is the EIP-712 hash of the signed Agreement;
 * `envelopeHash` the EIP-712 struct hash of the request envelope it pays for, which makes the
 * voucher that request's authentication (zero: made without a request, see `noEnvelopeHash`).
 */
export const Voucher = z.strictObject({
  channelId: Bytes32,
  cumulativeAmount: Uint256,
  calls: Uint64,
  termsHash: Bytes32,
  envelopeHash: Bytes32,
})
export type Voucher = z.output<typeof Voucher>

/** A voucher with the payer's signature, as sent with a call. */
export const SignedVoucher = z.strictObject({ voucher: Voucher, signature: Signature })
export type SignedVoucher = z.output<typeof SignedVoucher>

/** EIP-712 types of the agreement both sides sign before any money moves. */
export const agreementTypes = {
  Agreement: [
    { name: 'consumer', type: 'address' },
    { name: 'provider', type: 'address' },
    { name: 'registry', type: 'address' },
    { name: 'toolId', type: 'uint256' },
    { name: 'manifestHash', type: 'bytes32' },
    { name: 'token', type: 'address' },
    { name: 'pricePerCall', type: 'uint256' },
    { name: 'maxCalls', type: 'uint64' },
    { name: 'validUntil', type: 'uint64' },
    { name: 'p95LatencyMs', type: 'uint32' },
    { name: 'callsPerMinute', type: 'uint32' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const

/**
 * The negotiated terms of one consumer–provider relationship for one tool version.
 * `manifestHash` pins the version agreed to; `nonce` makes every agreement unique; limits of 0
 * mean "not promised". Its EIP-712 hash is the `termsHash` in every voucher and receipt.
 */
export const Agreement = z.strictObject({
  consumer: AddressSchema,
  provider: AddressSchema,
  registry: AddressSchema,
  toolId: Uint256,
  manifestHash: Bytes32,
  token: AddressSchema,
  pricePerCall: Uint256,
  maxCalls: Uint64,
  validUntil: Uint64,
  p95LatencyMs: Uint32,
  callsPerMinute: Uint32,
  nonce: Bytes32,
})
export type Agreement = z.output<typeof Agreement>

/** EIP-712 types of the receipt a provider signs for every served call. */
export const receiptTypes = {
  Receipt: [
    { name: 'termsHash', type: 'bytes32' },
    { name: 'channelId', type: 'bytes32' },
    { name: 'calls', type: 'uint64' },
    { name: 'cumulativeAmount', type: 'uint256' },
    { name: 'requestHash', type: 'bytes32' },
    { name: 'responseHash', type: 'bytes32' },
    { name: 'servedAt', type: 'uint64' },
  ],
} as const

/**
 * Proof of service: the provider signs which call (by cumulative count and amount, matching the
 * voucher that paid for it) it answered, with the hashes of the request and the response.
 */
export const Receipt = z.strictObject({
  termsHash: Bytes32,
  channelId: Bytes32,
  calls: Uint64,
  cumulativeAmount: Uint256,
  requestHash: Bytes32,
  responseHash: Bytes32,
  servedAt: Uint64,
})
export type Receipt = z.output<typeof Receipt>

/** EIP-712 types of the receipt a provider signs for a call paid through x402 (one transfer). */
export const x402ReceiptTypes = {
  X402Receipt: [
    { name: 'payer', type: 'address' },
    { name: 'authorizationNonce', type: 'bytes32' },
    { name: 'amount', type: 'uint256' },
    { name: 'requestHash', type: 'bytes32' },
    { name: 'responseHash', type: 'bytes32' },
    { name: 'transaction', type: 'bytes32' },
    { name: 'servedAt', type: 'uint64' },
  ],
} as const

/**
 * Proof of service for a call paid over x402 `exact`: which payer's authorization (by its
 * EIP-3009 nonce) paid `amount`, in which settled transaction, for which request and response.
 * Signed by the provider under the gotong domain, like channel receipts.
 */
export const X402Receipt = z.strictObject({
  payer: AddressSchema,
  authorizationNonce: Bytes32,
  amount: Uint256,
  requestHash: Bytes32,
  responseHash: Bytes32,
  transaction: Bytes32,
  servedAt: Uint64,
})
export type X402Receipt = z.output<typeof X402Receipt>

/** An x402 receipt with the provider's signature. */
export const SignedX402Receipt = z.strictObject({ receipt: X402Receipt, signature: Signature })
export type SignedX402Receipt = z.output<typeof SignedX402Receipt>

/**
 * The `termsHash` of an agreement: its full EIP-712 digest under the gotong domain.
 *
 * @example const termsHash = hashAgreement(agreement, gotongDomain({ chainId, verifyingContract }))
 */
export function hashAgreement(agreement: Agreement, domain: ReturnType<typeof gotongDomain>): Hex {
  return hashTypedData({
    domain,
    types: agreementTypes,
    primaryType: 'Agreement',
    message: agreement,
  })
}
