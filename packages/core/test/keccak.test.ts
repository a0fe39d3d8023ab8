import { bytesToHex, keccak256 } from 'viem'
import { describe, expect, test } from 'vitest'
import { contentHash, keccak256Bytes, keccakBackend } from '../src/index.js'

describe('keccak256Bytes', () => {
  test('uses the native sponge here unless told not to', () => {
    expect(keccakBackend).toBe(process.env.GOTONG_NO_NATIVE_KECCAK === '1' ? 'noble' : 'native')
  })

  test('agrees with the known vector and with viem across the sponge rate (136 bytes)', () => {
    expect(bytesToHex(keccak256Bytes(new Uint8Array()))).toBe(
      '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    )
    for (const length of [1, 31, 32, 135, 136, 137, 272, 1_000, 65_537]) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff)
      expect(bytesToHex(keccak256Bytes(data))).toBe(keccak256(data))
      // A view into a larger buffer hashes only its own bytes.
      const padded = new Uint8Array(length + 8)
      padded.set(data, 4)
      expect(bytesToHex(keccak256Bytes(padded.subarray(4, 4 + length)))).toBe(keccak256(data))
    }
  })

  test('contentHash is keccak-256 of the canonical JSON', () => {
    expect(contentHash({ b: 1, a: [true, null, 'x'] })).toBe(
      keccak256(new TextEncoder().encode('{"a":[true,null,"x"],"b":1}')),
    )
  })
})
