import { secp256k1 as noble } from '@noble/curves/secp256k1'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils'
import { type Address, getAddress, type Hex } from 'viem'
import { keccak256Bytes } from './keccak.js'
import { native } from './native.js'

/**
 * Signs 32-byte digests. gotong signs vouchers and receipts through this, so a signer can be a
 * raw key (fast, native) or any account that can sign a hash (a viem LocalAccount, a KMS).
 */
export type DigestSigner = {
  readonly address: Address
  signDigest(digest: Uint8Array): Hex | Promise<Hex>
}

/**
 * A signer over a raw private key: libsecp256k1 where the binding loads (~30,000 signatures/s
 * here), `@noble/curves` otherwise. Both are deterministic (RFC 6979) and low-s, so they produce
 * the same bytes as viem's `signTypedData` for the same digest.
 *
 * @example const signer = privateKeySigner(process.env.PRIVATE_KEY as Hex)
 */
export function privateKeySigner(privateKey: Hex): DigestSigner {
  const key = hexToBytes(privateKey.slice(2))
  const publicKey = native ? native.publicKeyCreate(key, false) : noble.getPublicKey(key, false)
  const address = getAddress(`0x${bytesToHex(keccak256Bytes(publicKey.subarray(1)).subarray(12))}`)
  return {
    address,
    signDigest(digest) {
      if (native) {
        const { signature, recid } = native.ecdsaSign(digest, key)
        return `0x${bytesToHex(signature)}${(27 + recid).toString(16)}`
      }
      const signature = noble.sign(digest, key)
      return `0x${signature.toCompactHex()}${(27 + signature.recovery).toString(16)}`
    },
  }
}

/**
 * A signer over an account that signs raw hashes, such as viem's `privateKeyToAccount`.
 *
 * @example const signer = accountSigner(privateKeyToAccount(key))
 */
export function accountSigner(account: {
  address: Address
  sign: (parameters: { hash: Hex }) => Promise<Hex>
}): DigestSigner {
  return {
    address: account.address,
    signDigest: (digest) => account.sign({ hash: `0x${bytesToHex(digest)}` }),
  }
}
