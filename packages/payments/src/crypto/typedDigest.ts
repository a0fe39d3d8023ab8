import { gotongDomain } from '@gotong/core'
import { utf8ToBytes } from '@noble/hashes/utils'
import type { Address } from 'viem'
import { concatBytes, word } from './hex.js'
import { keccak256Bytes } from './keccak.js'

const domainTypeHash = keccak256Bytes(
  utf8ToBytes('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'),
)

/** The EIP-712 domain separator of gotong's domain on one chain and deployment. */
export function gotongDomainSeparator(parameters: {
  chainId: number
  verifyingContract: Address
}): Uint8Array {
  const domain = gotongDomain(parameters)
  return keccak256Bytes(
    concatBytes([
      domainTypeHash,
      keccak256Bytes(utf8ToBytes(domain.name)),
      keccak256Bytes(utf8ToBytes(domain.version)),
      word(BigInt(domain.chainId)),
      word(BigInt(domain.verifyingContract)),
    ]),
  )
}

/**
 * Builds a digest function for one EIP-712 struct whose fields are all static 32-byte words
 * (uint*, bytes32, address): the domain separator and type hash are computed once, each digest
 * then costs two keccak calls over preallocated buffers.
 */
export function createStaticStructDigester(
  typeString: string,
  domainSeparator: Uint8Array,
): (words: readonly Uint8Array[]) => Uint8Array {
  const typeHash = keccak256Bytes(utf8ToBytes(typeString))
  const message = new Uint8Array(66)
  message.set([0x19, 0x01], 0)
  message.set(domainSeparator, 2)
  return (words) => {
    const struct = new Uint8Array(32 * (words.length + 1))
    struct.set(typeHash, 0)
    for (let i = 0; i < words.length; i++) struct.set(words[i]!, 32 * (i + 1))
    message.set(keccak256Bytes(struct), 34)
    return keccak256Bytes(message)
  }
}
