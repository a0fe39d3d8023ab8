// The channel, voucher, receipt and permit vectors (vectors/*.json at the repository root,
// described in PROTOCOL.md) against the payments code and against the contracts on a devnet.
import { readFileSync } from 'node:fs'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { gotongTokenAbi, paymentChannelsAbi } from '@gotong/contracts'
import { parseWith } from '@gotong/core'
import { bytesToHex } from '@noble/hashes/utils'
import { encodeFunctionData, type Hex, keccak256 } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  ChannelKey,
  channelIdOf,
  createReceiptDigester,
  createVoucherDigester,
  privateKeySigner,
  recoverSigner,
  SignedReceipt,
  VoucherPayment,
  verifyReceipt,
  voucherRejections,
} from '../src/index.js'

// biome-ignore lint/suspicious/noExplicitAny: vectors are plain JSON, checked field by field
type Json = any
const vector = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../../vectors/${name}.json`, import.meta.url), 'utf8'))
const hex = (bytes: Uint8Array) => `0x${bytesToHex(bytes)}` as Hex
const channel = vector('channel')
const voucher = vector('voucher')
const receipt = vector('receipt')
const permit = vector('permit')
const deployment = { chainId: channel.chainId, channels: channel.paymentChannels }

describe('protocol vectors: payments', () => {
  test('the channel id of a key', () => {
    const key = parseWith(ChannelKey, channel.key, 'channel key')
    expect(channelIdOf(key, deployment)).toBe(channel.channelId)
    expect(keccak256(channel.preimage)).toBe(channel.channelId)
  })

  test('voucher digests, the payer’s signatures and the payment as sent', async () => {
    const digester = createVoucherDigester({
      chainId: voucher.domain.chainId,
      verifyingContract: voucher.domain.verifyingContract,
    })
    expect(hex(digester.domainSeparator)).toBe(voucher.domainSeparator)
    const payer = privateKeySigner(voucher.accounts.consumer.privateKey)
    for (const entry of voucher.vouchers) {
      const payment = parseWith(VoucherPayment, entry.payment, 'payment')
      const digest = digester.digest(payment.voucher)
      expect(hex(digest)).toBe(entry.digest)
      expect(await payer.signDigest(digest)).toBe(entry.signature)
      expect(recoverSigner(digest, entry.signature)).toBe(payer.address)
    }
  })

  test('the receipt digest, the payee’s signature, and the receipt checked as a payer does', async () => {
    const digest = createReceiptDigester({
      chainId: receipt.domain.chainId,
      verifyingContract: receipt.domain.verifyingContract,
    })
    const signed = parseWith(SignedReceipt, receipt.answer.result.receipt, 'receipt')
    expect(hex(digest(signed.receipt))).toBe(receipt.digest)
    const payee = privateKeySigner(receipt.accounts.provider.privateKey)
    expect(await payee.signDigest(digest(signed.receipt))).toBe(receipt.signature)
    const paid = parseWith(VoucherPayment, voucher.vouchers[0].payment, 'payment').voucher
    const call = vector('call')
    expect(
      verifyReceipt({
        receipt: receipt.answer.result.receipt,
        payee: payee.address,
        voucher: paid,
        requestHash: call.requestHash,
        digest,
      }),
    ).toEqual(signed)
  })

  test('openWithPermit’s calldata', () => {
    const { key, deposit, calldata } = permit.openWithPermit
    const args = [
      { ...key, challengePeriod: BigInt(key.challengePeriod) },
      BigInt(deposit),
      BigInt(permit.permit.deadline),
      permit.v,
      permit.r,
      permit.s,
    ] as const
    expect(
      encodeFunctionData({ abi: paymentChannelsAbi, functionName: 'openWithPermit', args }),
    ).toBe(calldata)
  })

  test('each voucher refusal’s wire reason, and the code the example reply carries', () => {
    const errors = vector('errors')
    expect(voucherRejections).toEqual(errors.voucherRejections)
    const { reason, data } = errors.example.body.error
    const rejection = /^VOUCHER_([A-Z_]+)$/.exec(data.code)?.[1]?.toLowerCase()
    expect(voucherRejections[rejection as keyof typeof voucherRejections]).toBe(reason)
  })
})

describe('protocol vectors: the contracts agree', () => {
  let devnet: Devnet
  beforeAll(async () => {
    devnet = await startDevnet({ accounts: 1 })
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  test('channelIdOf, hashVoucher and both EIP-712 domains on chain', async () => {
    const { paymentChannels, gotongToken } = devnet.deployments!.contracts
    // The vectors name the addresses a fresh devnet deploys to.
    expect([paymentChannels, gotongToken]).toEqual([
      channel.paymentChannels,
      permit.domain.verifyingContract,
    ])
    const read = devnet.publicClient.readContract
    const key = { ...channel.key, challengePeriod: BigInt(channel.key.challengePeriod) }
    expect(
      await read({
        address: paymentChannels,
        abi: paymentChannelsAbi,
        functionName: 'channelIdOf',
        args: [key],
      }),
    ).toBe(channel.channelId)
    for (const entry of voucher.vouchers) {
      const { channelId, cumulativeAmount, calls, termsHash, envelopeHash } = entry.voucher
      expect(
        await read({
          address: paymentChannels,
          abi: paymentChannelsAbi,
          functionName: 'hashVoucher',
          args: [channelId, BigInt(cumulativeAmount), BigInt(calls), termsHash, envelopeHash],
        }),
      ).toBe(entry.digest)
    }
    const [, name, version, chainId, verifyingContract] = await read({
      address: gotongToken,
      abi: gotongTokenAbi,
      functionName: 'eip712Domain',
    })
    expect({ name, version, chainId: Number(chainId), verifyingContract }).toEqual(permit.domain)
  })
})
