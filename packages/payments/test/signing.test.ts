import { gotongDomain, type Receipt, receiptTypes, voucherTypes } from '@gotong/core'
import { bytesToHex } from '@noble/hashes/utils'
import { encodeAbiParameters, type Hex, hashTypedData, keccak256 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import {
  accountSigner,
  channelIdOf,
  createReceiptDigester,
  createVoucherDigester,
  privateKeySigner,
  verifyReceipt,
} from '../src/index.js'

const channels = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512'
const domain = gotongDomain({ chainId: 31337, verifyingContract: channels })
const key = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const
const account = privateKeyToAccount(key)
const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex

describe('privateKeySigner', () => {
  test('produces the same bytes as viem signTypedData', async () => {
    const signer = privateKeySigner(key)
    expect(signer.address).toBe(account.address)
    const digest = createVoucherDigester({ chainId: 31337, verifyingContract: channels }).digest
    for (let i = 1; i <= 20; i++) {
      const voucher = {
        channelId: h(i),
        cumulativeAmount: BigInt(i) * 10n ** 15n,
        calls: BigInt(i),
        termsHash: h(1000 + i),
        envelopeHash: h(2000 + i),
      }
      const expected = await account.signTypedData({
        domain,
        types: voucherTypes,
        primaryType: 'Voucher',
        message: voucher,
      })
      expect(signer.signDigest(digest(voucher))).toBe(expected)
      expect(await accountSigner(account).signDigest(digest(voucher))).toBe(expected)
    }
  })
})

describe('receipts', () => {
  const receipt: Receipt = {
    termsHash: h(1),
    channelId: h(2),
    calls: 3n,
    cumulativeAmount: 6_000n,
    requestHash: h(4),
    responseHash: h(5),
    servedAt: 1_790_000_000n,
  }
  const digest = createReceiptDigester({ chainId: 31337, verifyingContract: channels })
  const voucher = { channelId: h(2), cumulativeAmount: 6_000n, calls: 3n, termsHash: h(1) }

  test('digest equals viem hashTypedData', () => {
    expect(`0x${bytesToHex(digest(receipt))}`).toBe(
      hashTypedData({ domain, types: receiptTypes, primaryType: 'Receipt', message: receipt }),
    )
  })

  test('verifyReceipt accepts the payee’s receipt for the call and refuses anything else', () => {
    const payee = privateKeySigner(key)
    const signature = payee.signDigest(digest(receipt)) as Hex
    const wire = JSON.parse(
      JSON.stringify({ receipt, signature }, (_k, v) => (typeof v === 'bigint' ? `${v}` : v)),
    )
    const ok = verifyReceipt({
      receipt: wire,
      payee: payee.address,
      voucher,
      requestHash: h(4),
      digest,
    })
    expect(ok.receipt).toEqual(receipt)
    const other =
      (patch: object, requestHash = h(4)) =>
      () =>
        verifyReceipt({
          receipt: wire,
          payee: payee.address,
          voucher: { ...voucher, ...patch },
          requestHash,
          digest,
        })
    expect(other({ calls: 4n })).toThrow(/calls does not match/)
    expect(other({ cumulativeAmount: 5_000n })).toThrow(/cumulativeAmount does not match/)
    expect(other({}, h(9))).toThrow(expect.objectContaining({ code: 'RECEIPT_INVALID' }))
    expect(() =>
      verifyReceipt({ receipt: wire, payee: channels, voucher, requestHash: h(4), digest }),
    ).toThrow(/not signed by the payee/)
    expect(() =>
      verifyReceipt({
        receipt: { ...wire, signature: 'nope' },
        payee: payee.address,
        voucher,
        requestHash: h(4),
        digest,
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
  })
})

test('channelIdOf matches abi.encode(chainId, contract, key) hashed', () => {
  const k = {
    payer: account.address,
    payee: channels,
    token: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    challengePeriod: 3600,
    salt: h(7),
  } as const
  const expected = keccak256(
    encodeAbiParameters(
      [
        { type: 'uint256' },
        { type: 'address' },
        {
          type: 'tuple',
          components: [
            { name: 'payer', type: 'address' },
            { name: 'payee', type: 'address' },
            { name: 'token', type: 'address' },
            { name: 'challengePeriod', type: 'uint64' },
            { name: 'salt', type: 'bytes32' },
          ],
        },
      ],
      [31337n, channels, { ...k, challengePeriod: 3600n }],
    ),
  )
  expect(channelIdOf(k, { chainId: 31337, channels })).toBe(expected)
})
