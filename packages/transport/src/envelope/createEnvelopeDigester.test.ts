import { createRequire } from 'node:module'
import { bytesToHex, type Hex, hashTypedData, keccak256, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { createEnvelopeDigester } from './createEnvelopeDigester.js'
import {
  type NativeSecp256k1,
  recoverSigner,
  recoverSignerWith,
  recoveryBackend,
} from './recoverSigner.js'
import { type Envelope, envelopeDomain, envelopeTypes } from './types.js'

const account = privateKeyToAccount(
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
)
const native = createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp256k1

/** Deterministic pseudo-random bytes, so a failure reproduces. */
function bytes(seed: number, length: number): Hex {
  let out = ''
  let state = keccak256(toHex(seed))
  while (out.length < length * 2) {
    out += state.slice(2)
    state = keccak256(state)
  }
  return `0x${out.slice(0, length * 2)}`
}

function envelopeAt(i: number): Envelope {
  return {
    from: account.address,
    to: `0x${bytes(i, 20).slice(2)}`,
    route: ['echo', 'negotiate/cfp', 'tools/a.b~c-d_e', 'ü/ß'][i % 4]!,
    chainId: [1, 31337, 8453, 2 ** 53 - 1][i % 4]!,
    nonce: bytes(i + 1, 32),
    expiresAt: [0, 1, Date.UTC(2030, 0), Number.MAX_SAFE_INTEGER][(i >> 2) % 4]!,
    bodyHash: bytes(i + 2, 32),
    ...(i % 3 ? { idempotencyKey: `key-${i}` } : {}),
  }
}

function viemDigest(envelope: Envelope): Hex {
  const { chainId, idempotencyKey, expiresAt, ...rest } = envelope
  return hashTypedData({
    domain: envelopeDomain(chainId),
    types: envelopeTypes,
    primaryType: 'Envelope',
    message: { ...rest, expiresAt: BigInt(expiresAt), idempotencyKey: idempotencyKey ?? '' },
  })
}

describe('createEnvelopeDigester', () => {
  test('equals viem hashTypedData on 200 envelopes, extremes included', () => {
    const digesters = new Map<number, ReturnType<typeof createEnvelopeDigester>>()
    for (let i = 0; i < 200; i++) {
      const envelope = envelopeAt(i)
      let digester = digesters.get(envelope.chainId)
      if (!digester) {
        digester = createEnvelopeDigester(envelope.chainId)
        digesters.set(envelope.chainId, digester)
      }
      expect(bytesToHex(digester.digest(envelope))).toBe(viemDigest(envelope))
    }
  })

  test('refuses an address that is not 20 bytes rather than digest it', () => {
    const { digest } = createEnvelopeDigester(1)
    for (const from of [`${account.address}00`, account.address.slice(0, 40)] as Hex[])
      expect(() => digest({ ...envelopeAt(1), from })).toThrow(/20-byte address/)
  })

  test('the domain separator differs per chain', () => {
    expect(bytesToHex(createEnvelopeDigester(1).domainSeparator)).not.toBe(
      bytesToHex(createEnvelopeDigester(31337).domainSeparator),
    )
  })
})

describe('recoverSigner', () => {
  const envelope = envelopeAt(5)
  const digest = createEnvelopeDigester(envelope.chainId).digest(envelope)
  const sign = () => {
    const { chainId, idempotencyKey, expiresAt, ...rest } = envelope
    return account.signTypedData({
      domain: envelopeDomain(chainId),
      types: envelopeTypes,
      primaryType: 'Envelope',
      message: { ...rest, expiresAt: BigInt(expiresAt), idempotencyKey: idempotencyKey ?? '' },
    })
  }
  const signer = account.address.toLowerCase()

  test('uses libsecp256k1 in Node', () => {
    expect(recoveryBackend).toBe('libsecp256k1')
  })

  test.each([
    ['libsecp256k1', native],
    ['noble', undefined],
  ])('%s recovers the signer of a viem signature, lowercase', async (_, backend) => {
    const signature = await sign()
    expect(await recoverSignerWith(backend, digest, signature)).toBe(signer)
    const v01 = `${signature.slice(0, 130)}${signature.endsWith('1b') ? '00' : '01'}` as Hex
    expect(await recoverSignerWith(backend, digest, v01)).toBe(signer)
  })

  test.each([
    ['libsecp256k1', native],
    ['noble', undefined],
  ])('%s refuses malformed and malleable signatures', async (_, backend) => {
    const signature = await sign()
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    const s = BigInt(`0x${signature.slice(66, 130)}`)
    const v = signature.endsWith('1b') ? '1c' : '1b'
    const twin = `${signature.slice(0, 66)}${(n - s).toString(16).padStart(64, '0')}${v}` as Hex
    const zeroR = `0x${'0'.repeat(64)}${signature.slice(66)}` as Hex
    for (const bad of [
      twin,
      zeroR,
      `${signature.slice(0, 130)}1d`,
      signature.slice(0, 130),
      `${signature}00`,
      `0x${'zz'.repeat(65)}`,
    ] as Hex[])
      expect(await recoverSignerWith(backend, digest, bad)).toBeUndefined()
  })

  test('a signature over another digest recovers someone else', async () => {
    const other = createEnvelopeDigester(envelope.chainId).digest({ ...envelope, route: 'other' })
    expect(await recoverSigner(other, await sign())).not.toBe(signer)
  })
})
