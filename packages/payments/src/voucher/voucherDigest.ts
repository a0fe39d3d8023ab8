import type { Voucher } from '@gotong/core'
import type { Address } from 'viem'
import { fromHex, word } from '../crypto/hex.js'
import { createStaticStructDigester, gotongDomainSeparator } from '../crypto/typedDigest.js'

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
  const domainSeparator = gotongDomainSeparator(parameters)
  const hash = createStaticStructDigester(
    'Voucher(bytes32 channelId,uint256 cumulativeAmount,uint64 calls,bytes32 termsHash,bytes32 envelopeHash)',
    domainSeparator,
  )
  return {
    domainSeparator,
    digest: (voucher) =>
      hash([
        fromHex(voucher.channelId),
        word(voucher.cumulativeAmount),
        word(voucher.calls),
        fromHex(voucher.termsHash),
        fromHex(voucher.envelopeHash),
      ]),
  }
}
