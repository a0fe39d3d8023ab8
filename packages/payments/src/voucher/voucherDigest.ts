import { gotongDomain, type Voucher } from '@gotong/core'
import { keccak_256 } from '@noble/hashes/sha3'
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils'
import type { Address, Hex } from 'viem'

const voucherTypeHash = keccak_256(
  utf8ToBytes('Voucher(bytes32 channelId,uint256 cumulativeAmount,uint64 calls,bytes32 termsHash)'),
)
const domainTypeHash = keccak_256(
  utf8ToBytes('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'),
)

/** Computes EIP-712 voucher digests for one channel contract on one chain. */
export type VoucherDigester = {
  /** The 32-byte digest a payer signs: `keccak256(0x1901 ‖ domainSeparator ‖ structHash)`. */
  digest(voucher: Voucher): Uint8Array
  readonly domainSeparator: Uint8Array
}

/**
 * A voucher digester with the domain separator and type hash computed once, so each digest costs
 * two keccak calls over fixed-size buffers. Equal to viem's `hashTypedData` on every input.
 *
 * @example
 * const { digest } = createVoucherDigester({ chainId: 31337, verifyingContract: channels })
 */
export function createVoucherDigester(parameters: {
  chainId: number
  verifyingContract: Address
}): VoucherDigester {
  const domain = gotongDomain(parameters)
  const domainSeparator = keccak_256(
    concat([
      domainTypeHash,
      keccak_256(utf8ToBytes(domain.name)),
      keccak_256(utf8ToBytes(domain.version)),
      word(BigInt(domain.chainId)),
      word(BigInt(domain.verifyingContract)),
    ]),
  )
  const struct = new Uint8Array(160)
  struct.set(voucherTypeHash, 0)
  const message = new Uint8Array(66)
  message.set([0x19, 0x01], 0)
  message.set(domainSeparator, 2)
  return {
    domainSeparator,
    digest(voucher) {
      struct.set(bytes32(voucher.channelId), 32)
      struct.set(word(voucher.cumulativeAmount), 64)
      struct.set(word(voucher.calls), 96)
      struct.set(bytes32(voucher.termsHash), 128)
      message.set(keccak_256(struct), 34)
      return keccak_256(message)
    },
  }
}

function word(value: bigint): Uint8Array {
  return hexToBytes(value.toString(16).padStart(64, '0'))
}

function bytes32(value: Hex): Uint8Array {
  return hexToBytes(value.slice(2))
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
