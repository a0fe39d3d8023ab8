import {
  createVoucherDigester,
  recoverSignerLowercase,
  VoucherPayment,
  VoucherRejectedError,
  type VoucherRejection,
} from '@gotong/payments'
import type { Payee } from '@gotong/payments/payee'
import type { Address } from 'viem'
import { voucherRefusal } from '../provider/hostTool.js'

/**
 * Who pays with a voucher, as the caller of a call that comes without a signed envelope (over
 * A2A): the payer of the bound channel it names, once the voucher's signature recovers that
 * payer. A payment that names no channel bound here, or that its payer did not sign, identifies
 * no one and is refused with the code the `call` route gives it (`VOUCHER_MALFORMED`,
 * `…_WRONG_CHAIN`, `…_WRONG_CONTRACT`, `…_UNKNOWN_CHANNEL`, `…_BAD_SIGNATURE`), as a wire error.
 */
export function createPayerOf(parameters: { payee: Payee; chainId: number; channels: Address }) {
  const { payee, chainId, channels } = parameters
  const { digest } = createVoucherDigester({ chainId, verifyingContract: channels })
  const refuse = (reason: VoucherRejection, message: string, data?: Record<string, unknown>) =>
    voucherRefusal(new VoucherRejectedError(reason, message, data ? { data } : {}))
  return async (payment: unknown): Promise<Address> => {
    const parsed = VoucherPayment.safeParse(payment)
    if (!parsed.success)
      throw refuse('malformed', 'The payment is not a well-formed voucher.', {
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      })
    const { voucher, signature } = parsed.data
    if (parsed.data.chainId !== chainId)
      throw refuse(
        'wrong_chain',
        `The voucher is for chain ${parsed.data.chainId}, not ${chainId}.`,
      )
    if (parsed.data.channels.toLowerCase() !== channels.toLowerCase())
      throw refuse(
        'wrong_contract',
        `The voucher is for channels contract ${parsed.data.channels}.`,
      )
    const channel = await payee.getChannel(voucher.channelId)
    if (!channel) throw refuse('unknown_channel', `Channel ${voucher.channelId} is not bound here.`)
    const signer = recoverSignerLowercase(digest(voucher), signature)
    if (signer === undefined)
      throw refuse('malformed', 'The signature is malformed (length, v, or a malleable s).')
    if (signer !== channel.key.payer.toLowerCase())
      throw refuse('bad_signature', "The voucher is not signed by the channel's payer.")
    return channel.key.payer
  }
}
