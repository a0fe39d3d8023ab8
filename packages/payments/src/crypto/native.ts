import { createRequire } from 'node:module'

/** The parts of the `secp256k1` package's libsecp256k1 binding gotong uses. */
export type NativeSecp256k1 = {
  ecdsaRecover(
    signature: Uint8Array,
    recid: number,
    message: Uint8Array,
    compressed: boolean,
  ): Uint8Array
  ecdsaSign(message: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number }
  publicKeyCreate(privateKey: Uint8Array, compressed: boolean): Uint8Array
}

/** libsecp256k1 through the `secp256k1` package's prebuilt binding, when it loads here. */
export const native: NativeSecp256k1 | undefined = (() => {
  if (process.env.GOTONG_NO_NATIVE_SECP256K1 === '1') return undefined
  try {
    return createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp256k1
  } catch {
    return undefined
  }
})()

/** Which secp256k1 implementation signs and recovers in this process. */
export const secp256k1Backend: 'libsecp256k1' | 'noble' = native ? 'libsecp256k1' : 'noble'
