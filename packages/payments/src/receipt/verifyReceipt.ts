import { parseWith, type Voucher } from '@gotong/core'
import type { Address, Hex } from 'viem'
import { ReceiptInvalidError } from '../errors.js'
import { recoverSignerLowercase } from '../voucher/recoverSigner.js'
import { SignedReceipt } from './signedReceipt.js'

export type VerifyReceiptParameters = {
  /** The receipt as received (parsed here). */
  receipt: unknown
  /** Who must have signed it: the payee. */
  payee: Address
  /** The voucher that paid for the call. */
  voucher: Omit<Voucher, 'envelopeHash'>
  /** keccak256 of the canonical request the payer sent. */
  requestHash: Hex
  /** From {@link createReceiptDigester}. */
  digest: (receipt: SignedReceipt['receipt']) => Uint8Array
}

/**
 * Checks a receipt answers exactly the call the voucher paid for (terms, channel, calls, amount,
 * request) and that the payee signed it. Throws `RECEIPT_INVALID` otherwise.
 *
 * @example const receipt = verifyReceipt({ receipt: body.receipt, payee, voucher, requestHash, digest })
 */
export function verifyReceipt(parameters: VerifyReceiptParameters): SignedReceipt {
  const signed = parseWith(SignedReceipt, parameters.receipt, 'receipt')
  const { receipt } = signed
  const { voucher } = parameters
  const mismatch =
    receipt.termsHash !== voucher.termsHash
      ? 'termsHash'
      : receipt.channelId !== voucher.channelId
        ? 'channelId'
        : receipt.calls !== voucher.calls
          ? 'calls'
          : receipt.cumulativeAmount !== voucher.cumulativeAmount
            ? 'cumulativeAmount'
            : receipt.requestHash !== parameters.requestHash.toLowerCase()
              ? 'requestHash'
              : undefined
  if (mismatch)
    throw new ReceiptInvalidError(`The receipt's ${mismatch} does not match the call it answers.`)
  const signer = recoverSignerLowercase(parameters.digest(receipt), signed.signature)
  if (signer !== parameters.payee.toLowerCase())
    throw new ReceiptInvalidError('The receipt is not signed by the payee.', {
      details: `recovered ${signer ?? 'nothing'}, expected ${parameters.payee}`,
    })
  return signed
}
