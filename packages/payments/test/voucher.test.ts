import { gotongDomain, type Voucher, voucherTypes } from '@gotong/core'
import { bytesToHex } from '@noble/hashes/utils'
import { type Hex, hashTypedData, recoverTypedDataAddress, toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { createVoucherDigester, recoverSigner, secp256k1Backend } from '../src/index.js'

const channels = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512'
const domain = gotongDomain({ chainId: 31337, verifyingContract: channels })
const { digest } = createVoucherDigester({ chainId: 31337, verifyingContract: channels })
const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

// Deterministic pseudo-random vouchers (no Math.random in tests).
function* vouchers(count: number): Generator<Voucher> {
  let seed = 0x9e3779b97f4a7c15n
  const next = () => {
    seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 256n
    return seed
  }
  for (let i = 0; i < count; i++)
    yield {
      channelId: toHex(next(), { size: 32 }),
      cumulativeAmount: i === 0 ? 2n ** 256n - 1n : next() >> BigInt(i % 256),
      calls: i === 1 ? 2n ** 64n - 1n : next() % 2n ** 64n,
      termsHash: toHex(next(), { size: 32 }),
      envelopeHash: toHex(next(), { size: 32 }),
    }
}

describe('voucher digest', () => {
  test('equals viem hashTypedData on every input', () => {
    for (const voucher of vouchers(300)) {
      const expected = hashTypedData({
        domain,
        types: voucherTypes,
        primaryType: 'Voucher',
        message: voucher,
      })
      expect(`0x${bytesToHex(digest(voucher))}`).toBe(expected)
    }
  })

  test('differs across chain ids and contracts', () => {
    const [voucher] = [...vouchers(1)] as [Voucher]
    const other = createVoucherDigester({ chainId: 1, verifyingContract: channels }).digest(voucher)
    const elsewhere = createVoucherDigester({
      chainId: 31337,
      verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    }).digest(voucher)
    const here = bytesToHex(digest(voucher))
    expect(bytesToHex(other)).not.toBe(here)
    expect(bytesToHex(elsewhere)).not.toBe(here)
  })
})

describe('recoverSigner', () => {
  test(`agrees with viem's recoverTypedDataAddress (backend: ${secp256k1Backend})`, async () => {
    let i = 0
    for (const voucher of vouchers(100)) {
      const account = privateKeyToAccount(generatePrivateKey())
      const signature = await account.signTypedData({
        domain,
        types: voucherTypes,
        primaryType: 'Voucher',
        message: voucher,
      })
      const expected = await recoverTypedDataAddress({
        domain,
        types: voucherTypes,
        primaryType: 'Voucher',
        message: voucher,
        signature,
      })
      expect(expected).toBe(account.address)
      expect(recoverSigner(digest(voucher), signature)).toBe(account.address)
      i++
    }
    expect(i).toBe(100)
    // CI runs this file a second time with the native bindings switched off.
    expect(secp256k1Backend).toBe(
      process.env.GOTONG_NO_NATIVE_SECP256K1 === '1' ? 'noble' : 'libsecp256k1',
    )
  })

  test('refuses what OpenZeppelin ECDSA refuses', async () => {
    const account = privateKeyToAccount(generatePrivateKey())
    const [voucher] = [...vouchers(1)] as [Voucher]
    const signature = await account.signTypedData({
      domain,
      types: voucherTypes,
      primaryType: 'Voucher',
      message: voucher,
    })
    const d = digest(voucher)
    const r = signature.slice(2, 66)
    const s = BigInt(`0x${signature.slice(66, 130)}`)
    const v = Number.parseInt(signature.slice(130), 16)
    // The malleable twin (n - s, flipped v) recovers the same key in plain ECDSA; the chain refuses it.
    const twin =
      `0x${r}${(n - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as Hex
    expect(
      await recoverTypedDataAddress({
        domain,
        types: voucherTypes,
        primaryType: 'Voucher',
        message: voucher,
        signature: twin,
      }),
    ).toBe(account.address)
    expect(recoverSigner(d, twin)).toBeUndefined()
    for (const bad of [
      '0x',
      signature.slice(0, 130),
      `${signature}00`,
      `0x${'00'.repeat(65)}`,
      `${signature.slice(0, 130)}1d`,
      `0x${'zz'.repeat(65)}`,
      `0x${'00'.repeat(32)}${signature.slice(66)}`,
    ] as Hex[])
      expect(recoverSigner(d, bad)).toBeUndefined()
    // v given as 0/1 is refused: ecrecover, and so the contract, would not pay it.
    expect(
      recoverSigner(
        d,
        `${signature.slice(0, 130)}${(v - 27).toString(16).padStart(2, '0')}` as Hex,
      ),
    ).toBeUndefined()
  })

  test('a signature over another voucher recovers someone else', async () => {
    const account = privateKeyToAccount(generatePrivateKey())
    const [a, b] = [...vouchers(2)] as [Voucher, Voucher]
    const signature = await account.signTypedData({
      domain,
      types: voucherTypes,
      primaryType: 'Voucher',
      message: a,
    })
    expect(recoverSigner(digest(b), signature)).not.toBe(account.address)
  })
})
