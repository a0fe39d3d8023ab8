import { bytesToHex, hexToBytes } from '@noble/hashes/utils'
import type { Hex } from 'viem'

/** Big-endian 32-byte word of a non-negative integer below 2^256. */
export function word(value: bigint): Uint8Array {
  return hexToBytes(value.toString(16).padStart(64, '0'))
}

/** The bytes of 0x-prefixed hex. */
export function fromHex(value: Hex): Uint8Array {
  return hexToBytes(value.slice(2))
}

/** 0x-prefixed lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): Hex {
  return `0x${bytesToHex(bytes)}`
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
