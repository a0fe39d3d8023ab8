import { keccak256Bytes } from '@gotong/core'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils'
import { type Hex, recoverPublicKey } from 'viem'
import { loadNative } from './native.js'

/** The part of the `secp256k1` package's binding used here. */
export type NativeSecp256k1 = {
  ecdsaRecover(
    signature: Uint8Array,
    recid: number,
    message: Uint8Array,
    compressed: boolean,
  ): Uint8Array
}

/** secp256k1's curve order over two: a signature with a larger `s` is the malleable twin. */
const halfN = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n

/** libsecp256k1 through the `secp256k1` package's prebuilt binding, where it loads. */
const native = loadNative((require) => require('secp256k1/bindings') as NativeSecp256k1)

/**
 * Which secp256k1 implementation recovers envelope signers here: native libsecp256k1 (about
 * 40 times faster) in Node, viem's `@noble/curves` elsewhere.
 */
export const recoveryBackend: 'libsecp256k1' | 'noble' = native ? 'libsecp256k1' : 'noble'

/**
 * Recovers the lowercase address that signed a 32-byte digest. Accepts what OpenZeppelin's
 * ECDSA accepts: 65 bytes, `v` of 27/28 (or 0/1), non-zero `r` and `s`, `s` in the lower half of
 * the curve order. Anything else resolves to `undefined`.
 *
 * @example const address = await recoverSigner(digest(envelope), signature)
 */
export function recoverSigner(digest: Uint8Array, signature: Hex): Promise<Hex | undefined> {
  return recoverSignerWith(native, digest, signature)
}

/** `recoverSigner` with a chosen backend (`undefined`: viem's), so both paths can be tested. */
export async function recoverSignerWith(
  backend: NativeSecp256k1 | undefined,
  digest: Uint8Array,
  signature: Hex,
): Promise<Hex | undefined> {
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
  const r = BigInt(`0x${signature.slice(2, 66)}`)
  const s = BigInt(`0x${signature.slice(66, 130)}`)
  if (r === 0n || s === 0n || s > halfN) return undefined
  let publicKey: Uint8Array
  try {
    publicKey = backend
      ? backend.ecdsaRecover(bytes.subarray(0, 64), recid, digest, false)
      : hexToBytes(
          (
            await recoverPublicKey({
              hash: digest,
              signature: `0x${signature.slice(2, 130)}${recid ? '1c' : '1b'}`,
            })
          ).slice(2),
        )
  } catch {
    return undefined
  }
  return `0x${bytesToHex(keccak256Bytes(publicKey.subarray(1)).subarray(12))}`
}
