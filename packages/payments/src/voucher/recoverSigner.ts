import { createRequire } from 'node:module'
import { secp256k1 as noble } from '@noble/curves/secp256k1'
import { keccak_256 } from '@noble/hashes/sha3'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils'
import type { Address, Hex } from 'viem'
import { getAddress } from 'viem'

type Native = {
  ecdsaRecover(
    signature: Uint8Array,
    recid: number,
    message: Uint8Array,
    compressed: boolean,
  ): Uint8Array
}

const halfN = noble.CURVE.n / 2n

/** libsecp256k1 through the `secp256k1` package's prebuilt binding, when it loads here. */
const native: Native | undefined = (() => {
  try {
    return createRequire(import.meta.url)('secp256k1/bindings') as Native
  } catch {
    return undefined
  }
})()

/** Which secp256k1 implementation recovers signers in this process. */
export const recoveryBackend: 'libsecp256k1' | 'noble' = native ? 'libsecp256k1' : 'noble'

/**
 * Recovers the address that signed a 32-byte digest, with the same acceptance rules as
 * OpenZeppelin's ECDSA on chain: 65 bytes, `v` of 27/28 (or 0/1), `s` in the lower half of the
 * curve order (no malleable twins), `r` and `s` non-zero. Anything else returns `undefined`,
 * so a voucher the contract would refuse is never accepted off chain.
 *
 * @example const signer = recoverSigner(digest, signature)
 */
export function recoverSigner(digest: Uint8Array, signature: Hex): Address | undefined {
  if (signature.length !== 132) return undefined
  let bytes: Uint8Array
  try {
    bytes = hexToBytes(signature.slice(2))
  } catch {
    return undefined
  }
  const v = bytes[64] ?? 0
  const recid = v >= 27 ? v - 27 : v
  if (recid !== 0 && recid !== 1) return undefined
  const r = BigInt(`0x${bytesToHex(bytes.subarray(0, 32))}`)
  const s = BigInt(`0x${bytesToHex(bytes.subarray(32, 64))}`)
  if (r === 0n || s === 0n || r >= noble.CURVE.n || s > halfN) return undefined
  let publicKey: Uint8Array
  try {
    publicKey = native
      ? native.ecdsaRecover(bytes.subarray(0, 64), recid, digest, false)
      : new noble.Signature(r, s).addRecoveryBit(recid).recoverPublicKey(digest).toRawBytes(false)
  } catch {
    return undefined
  }
  return getAddress(`0x${bytesToHex(keccak_256(publicKey.subarray(1)).subarray(12))}`)
}
