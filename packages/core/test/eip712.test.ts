import { type Hex, recoverTypedDataAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import {
  Agreement,
  bigintReplacer,
  gotongDomain,
  hashAgreement,
  InvalidInputError,
  parseWith,
  Receipt,
  SignedVoucher,
  Voucher,
  voucherTypes,
} from '../src/index.js'

// anvil's first two well-known test keys
const payer = privateKeyToAccount(
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
)
const payee = privateKeyToAccount(
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
)
const domain = gotongDomain({
  chainId: 31337,
  verifyingContract: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
})

const agreement = parseWith(
  Agreement,
  {
    consumer: payer.address,
    provider: payee.address,
    registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    toolId: '1',
    manifestHash: `0x${'ab'.repeat(32)}`,
    token: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
    pricePerCall: '5000',
    maxCalls: '1000',
    validUntil: '1900000000',
    p95LatencyMs: 250,
    callsPerMinute: 600,
    nonce: `0x${'01'.repeat(32)}`,
  },
  'agreement',
)

describe('EIP-712 types', () => {
  test('an agreement parsed from the wire has bigint amounts', () => {
    expect(agreement.pricePerCall).toBe(5000n)
    expect(agreement.maxCalls).toBe(1000n)
  })

  test('termsHash binds chain, contract and every field', () => {
    const termsHash = hashAgreement(agreement, domain)
    expect(termsHash).toMatch(/^0x[0-9a-f]{64}$/)
    expect(hashAgreement({ ...agreement, pricePerCall: 5001n }, domain)).not.toBe(termsHash)
    expect(hashAgreement(agreement, { ...domain, chainId: 1 })).not.toBe(termsHash)
    expect(
      hashAgreement(agreement, gotongDomain({ chainId: 31337, verifyingContract: payer.address })),
    ).not.toBe(termsHash)
  })

  test('a voucher signed by the payer recovers to the payer, and survives the wire', async () => {
    const voucher: Voucher = {
      channelId: `0x${'cd'.repeat(32)}` as Hex,
      cumulativeAmount: 15_000n,
      calls: 3n,
      termsHash: hashAgreement(agreement, domain),
      envelopeHash: `0x${'ef'.repeat(32)}` as Hex,
    }
    const signature = await payer.signTypedData({
      domain,
      types: voucherTypes,
      primaryType: 'Voucher',
      message: voucher,
    })
    const wire = JSON.stringify({ voucher, signature }, bigintReplacer)
    expect(wire).toContain('"cumulativeAmount":"15000"')
    const received = parseWith(SignedVoucher, JSON.parse(wire), 'voucher')
    expect(received.voucher).toEqual(voucher)
    const signer = await recoverTypedDataAddress({
      domain,
      types: voucherTypes,
      primaryType: 'Voucher',
      message: received.voucher,
      signature: received.signature,
    })
    expect(signer).toBe(payer.address)
  })

  test.each([
    ['negative amount', { cumulativeAmount: '-1' }],
    ['amount above uint256', { cumulativeAmount: (2n ** 256n).toString() }],
    ['calls above uint64', { calls: (2n ** 64n).toString() }],
    ['short channel id', { channelId: '0x1234' }],
    ['a float amount', { cumulativeAmount: 1.5 }],
    ['an extra field', { bonus: '1' }],
  ])('a voucher with %s is rejected', (_name, patch) => {
    const good = {
      channelId: `0x${'cd'.repeat(32)}`,
      cumulativeAmount: '1',
      calls: '1',
      termsHash: `0x${'ef'.repeat(32)}`,
    }
    expect(() => parseWith(Voucher, { ...good, ...patch }, 'voucher')).toThrow(InvalidInputError)
  })

  test('receipts parse with bigint counters', () => {
    const receipt = parseWith(
      Receipt,
      {
        termsHash: `0x${'ef'.repeat(32)}`,
        channelId: `0x${'cd'.repeat(32)}`,
        calls: '3',
        cumulativeAmount: '15000',
        requestHash: `0x${'11'.repeat(32)}`,
        responseHash: `0x${'22'.repeat(32)}`,
        servedAt: '1764072000',
      },
      'receipt',
    )
    expect(receipt.calls).toBe(3n)
  })
})
