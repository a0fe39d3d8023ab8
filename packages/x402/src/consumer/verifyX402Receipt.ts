import { contentHash, gotongDomain, SignedX402Receipt, x402ReceiptTypes } from '@gotong/core'
import { type Address, getAddress, type Hex, recoverTypedDataAddress } from 'viem'
import { X402PaymentError } from './errors.js'

export type VerifyX402ReceiptParameters = {
  /** The receipt as received (parsed here). */
  receipt: unknown
  /** Who must have signed it: the provider (the payee of a gotong tool). */
  signer: Address
  /** The payment it must acknowledge. */
  payment: {
    payer: Address
    authorizationNonce: Hex
    amount: bigint
    transaction: Hex
    /** The request's hash, when the payer knows how the provider makes it. */
    requestHash?: Hex | undefined
  }
  /** The output received: its content hash must be the receipt's `responseHash`. */
  output: unknown
  /** The gotong EIP-712 domain the provider signs under. */
  domain: { chainId: number; verifyingContract: Address }
}

/**
 * Checks a provider's signed x402 receipt answers exactly this payment (payer, authorization
 * nonce, amount, settling transaction, and request when its hash is known) with exactly this output (`responseHash` =
 * `contentHash(output)`), and that the provider signed it. Throws `RECEIPT_INVALID` otherwise.
 *
 * @example const receipt = await verifyX402Receipt({ receipt, signer: provider, payment, output, domain })
 */
export async function verifyX402Receipt(
  parameters: VerifyX402ReceiptParameters,
): Promise<SignedX402Receipt> {
  const parsed = SignedX402Receipt.safeParse(parameters.receipt)
  if (!parsed.success)
    throw new X402PaymentError('RECEIPT_INVALID', 'The x402 receipt is malformed.', {
      details: parsed.error.message,
    })
  const { receipt, signature } = parsed.data
  const { payment } = parameters
  const mismatch =
    getAddress(receipt.payer) !== getAddress(payment.payer)
      ? 'payer'
      : receipt.authorizationNonce.toLowerCase() !== payment.authorizationNonce.toLowerCase()
        ? 'authorizationNonce'
        : receipt.amount !== payment.amount
          ? 'amount'
          : receipt.transaction.toLowerCase() !== payment.transaction.toLowerCase()
            ? 'transaction'
            : receipt.responseHash.toLowerCase() !== contentHash(parameters.output).toLowerCase()
              ? 'responseHash'
              : payment.requestHash &&
                  receipt.requestHash.toLowerCase() !== payment.requestHash.toLowerCase()
                ? 'requestHash'
                : undefined
  if (mismatch)
    throw new X402PaymentError(
      'RECEIPT_INVALID',
      `The x402 receipt's ${mismatch} does not match the call it answers.`,
    )
  const recovered = await recoverTypedDataAddress({
    domain: gotongDomain(parameters.domain),
    types: x402ReceiptTypes,
    primaryType: 'X402Receipt',
    message: receipt,
    signature,
  }).catch(() => undefined)
  if (recovered !== getAddress(parameters.signer))
    throw new X402PaymentError(
      'RECEIPT_INVALID',
      'The x402 receipt is not signed by the provider.',
      {
        details: `recovered ${recovered ?? 'nothing'}, expected ${parameters.signer}`,
      },
    )
  return parsed.data
}
