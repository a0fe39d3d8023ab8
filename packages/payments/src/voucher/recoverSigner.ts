import { secp256k1 as noble } from '@noble/curves/secp256k1'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils'
import type { Address, Hex } from 'viem'
import { getAddress } from 'viem'
import { keccak256Bytes } from '../crypto/keccak.js'
import { native } from '../crypto/native.js'

// n / 2 as 32 big-endian bytes: the largest `s` OpenZeppelin's ECDSA accepts.
const halfN = hexToBytes('7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0')
const n = hexToBytes('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141')

/**
 * Recovers the signer of a 32-byte digest as a lowercase address, with exactly the acceptance
 * rules of OpenZeppelin's ECDSA on chain: 65 bytes, `v` of 27 or 28, `s` in the lower half
 * of the curve order (no malleable twins), `r` below the order, `r` and `s` non-zero. Anything
 * else returns `undefined`, so a signature the contract would refuse is never accepted off chain.
 * Compare against `address.toLowerCase()`; this skips the checksum's extra keccak.
 *
 * @example recoverSignerLowercase(digest, signature) === payer.toLowerCase()
 */
export function recoverSignerLowercase(digest: Uint8Array, signature: Hex): Hex | undefined {
  if (signature.length !== 132) return undefined
  let bytes: Uint8Array
  try {
    bytes = hexToBytes(signature.slice(2))
  } catch {
    return undefined
  }
  // Only 27 and 28: ecrecover (and so the contract) returns nothing for v = 0/1.
  const recid = bytes[64]! - 27
  if (recid !== 0 && recid !== 1) return undefined
  const r = bytes.subarray(0, 32)
  const s = bytes.subarray(32, 64)
  if (isZero(r) || isZero(s) || compare(r, n) >= 0 || compare(s, halfN) > 0) return undefined
  let publicKey: Uint8Array
  try {
    publicKey = native
      ? native.ecdsaRecover(bytes.subarray(0, 64), recid, digest, false)
      : noble.Signature.fromCompact(bytes.subarray(0, 64))
          .addRecoveryBit(recid)
          .recoverPublicKey(digest)
          .toRawBytes(false)
  } catch {
    return undefined
  }
  return `0x${bytesToHex(keccak256Bytes(publicKey.subarray(1)).subarray(12))}`
}

/**
 * Like {@link recoverSignerLowercase}, returning the checksummed address.
 *
 * @example const signer = recoverSigner(digest, signature)
 */
export function recoverSigner(digest: Uint8Array, signature: Hex): Address | undefined {
  const signer = recoverSignerLowercase(digest, signature)
  return signer && getAddress(signer)
}

function isZero(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false
  return true
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return 0
}
