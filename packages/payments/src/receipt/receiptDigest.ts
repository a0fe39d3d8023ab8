import type { Receipt } from '@gotong/core'
import type { Address } from 'viem'
import { fromHex, word } from '../crypto/hex.js'
import { createStaticStructDigester, gotongDomainSeparator } from '../crypto/typedDigest.js'

/**
 * EIP-712 digests of receipts for one deployment, equal to viem's `hashTypedData` with core's
 * `receiptTypes` under `gotongDomain`.
 *
 * @example const digest = createReceiptDigester({ chainId, verifyingContract })(receipt)
 */
export function createReceiptDigester(parameters: {
  chainId: number
  verifyingContract: Address
}): (receipt: Receipt) => Uint8Array {
  const hash = createStaticStructDigester(
    'Receipt(bytes32 termsHash,bytes32 channelId,uint64 calls,uint256 cumulativeAmount,bytes32 requestHash,bytes32 responseHash,uint64 servedAt)',
    gotongDomainSeparator(parameters),
  )
  return (receipt) =>
    hash([
      fromHex(receipt.termsHash),
      fromHex(receipt.channelId),
      word(receipt.calls),
      word(receipt.cumulativeAmount),
      fromHex(receipt.requestHash),
      fromHex(receipt.responseHash),
      word(receipt.servedAt),
    ])
}
