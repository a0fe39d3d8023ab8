import {
  gotongDomain,
  type SignedX402Receipt,
  type X402Receipt,
  x402ReceiptTypes,
} from '@gotong/core'
import type { Address, Hex, TypedDataDefinition } from 'viem'

/**
 * The provider's signature over an x402 call's receipt (EIP-712 `X402Receipt` under the gotong
 * domain, as channel receipts), and its JSON form for `PAYMENT-RESPONSE`'s extensions.
 *
 * @example const { signed, json } = await signX402Receipt(receipt, { signer: account, chainId, verifyingContract: channels })
 */
export async function signX402Receipt(
  receipt: X402Receipt,
  by: {
    signer: { signTypedData(typedData: TypedDataDefinition): Promise<Hex> }
    chainId: number
    verifyingContract: Address
  },
): Promise<{ signed: SignedX402Receipt; json: unknown }> {
  const signature = await by.signer.signTypedData({
    domain: gotongDomain({ chainId: by.chainId, verifyingContract: by.verifyingContract }),
    types: x402ReceiptTypes,
    primaryType: 'X402Receipt',
    message: receipt,
  })
  return {
    signed: { receipt, signature },
    json: {
      receipt: {
        ...receipt,
        amount: receipt.amount.toString(),
        servedAt: receipt.servedAt.toString(),
      },
      signature,
    },
  }
}
