import type { Address, Hex } from 'viem'
import { sameAddress, VoucherPayment } from '../channel/channelKey.js'
import { VoucherRejectedError } from '../errors.js'
import { recoverSignerLowercase } from '../voucher/recoverSigner.js'
import type { VoucherDigester } from '../voucher/voucherDigest.js'

/**
 * A payment whose voucher was checked against the request it came with (its `envelopeHash`)
 * and whose signer was recovered: the request's authentication. Made only by `verifyPayment`,
 * so `acceptVoucher` can trust `signer` instead of recovering it a second time.
 */
export type VerifiedPayment = { readonly payment: VoucherPayment; readonly signer: Address }

const verified = new WeakSet<object>()

/** Whether `value` is a `VerifiedPayment` made by `verifyPayment` (never a look-alike). */
export function isVerifiedPayment(value: unknown): value is VerifiedPayment {
  return typeof value === 'object' && value !== null && verified.has(value)
}

/**
 * Parses a payment and checks it is for this payee's chain and contract (§9.3 checks 3 to 5).
 * Throws `VoucherRejectedError` (`VOUCHER_MALFORMED`, `_WRONG_CHAIN`, `_WRONG_CONTRACT`).
 *
 * @example const { voucher, signature } = parsePayment(body.payment, { chainId, channels })
 */
export function parsePayment(
  payment: unknown,
  deployment: { chainId: number; channels: Address },
): VoucherPayment {
  const parsed = VoucherPayment.safeParse(payment)
  if (!parsed.success)
    throw new VoucherRejectedError('malformed', 'The payment is not a well-formed voucher.', {
      data: {
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    })
  if (parsed.data.chainId !== deployment.chainId)
    throw new VoucherRejectedError(
      'wrong_chain',
      `The voucher is for chain ${parsed.data.chainId}; this payee is on chain ${deployment.chainId}.`,
    )
  if (!sameAddress(parsed.data.channels, deployment.channels))
    throw new VoucherRejectedError(
      'wrong_contract',
      `The voucher is for channels contract ${parsed.data.channels}.`,
    )
  return parsed.data
}

/**
 * Authenticates a paid request by its voucher: the payment is parsed and checked for this
 * payee's chain and contract, its `envelopeHash` must be the struct hash of the envelope it came
 * in (`VOUCHER_REQUEST_MISMATCH` otherwise, a zero hash included), and its signature must be well
 * formed; the signer it recovers is returned with it. Whether that signer pays the channel is
 * `acceptVoucher`'s check, which takes the result without recovering again.
 *
 * @example
 * const verified = verifyPayment(body.payment, envelopeHash, { chainId, channels, digester })
 * if (verified.signer !== envelope.from.toLowerCase()) refuse()
 */
export function verifyPayment(
  payment: unknown,
  envelopeHash: Hex,
  parameters: { chainId: number; channels: Address; digester: VoucherDigester },
): VerifiedPayment {
  const parsed = parsePayment(payment, parameters)
  if (parsed.voucher.envelopeHash !== envelopeHash.toLowerCase())
    throw new VoucherRejectedError(
      'request_mismatch',
      'The voucher pays for another request than the one it came with.',
    )
  const signer = recoverSignerLowercase(
    parameters.digester.digest(parsed.voucher),
    parsed.signature,
  )
  if (signer === undefined)
    throw new VoucherRejectedError(
      'malformed',
      'The signature is malformed (length, v, or a malleable s).',
    )
  const result: VerifiedPayment = { payment: parsed, signer: signer as Address }
  verified.add(result)
  return result
}
