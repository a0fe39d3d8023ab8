import { gotongDomain, type SignedX402Receipt, x402ReceiptTypes } from '@gotong/core'
import { recoverSignerLowercase } from '@gotong/payments'
import { type Address, hashTypedData, hexToBytes } from 'viem'

/**
 * Whether an x402 receipt is signed by `payee` under the gotong domain (EIP-712 `X402Receipt`),
 * by the contract's ECDSA rules: the offline check of a receipt kept in a ledger. It checks
 * neither the transaction on chain nor the output (`verifyX402Receipt` does, on receipt).
 *
 * @example isX402ReceiptSignedBy(signed, { payee: provider, chainId: 31337, verifyingContract: channels })
 */
export function isX402ReceiptSignedBy(
  signed: SignedX402Receipt,
  by: { payee: Address; chainId: number; verifyingContract: Address },
): boolean {
  const digest = hashTypedData({
    domain: gotongDomain({ chainId: by.chainId, verifyingContract: by.verifyingContract }),
    types: x402ReceiptTypes,
    primaryType: 'X402Receipt',
    message: signed.receipt,
  })
  return recoverSignerLowercase(hexToBytes(digest), signed.signature) === by.payee.toLowerCase()
}
