import type { Address, Hex } from 'viem'
import { sameAddress, type VoucherPayment } from '../channel/channelKey.js'
import type { SignedReceipt } from '../receipt/signedReceipt.js'
import type { AwaitablePayeeStore } from '../store/types.js'
import { isVerifiedPayment, parsePayment } from './verifyPayment.js'

/**
 * The first answer to a call a voucher already paid for, when the retry asks for the same
 * request (`requestHash`): what a payee answers after `VOUCHER_REPLAYED` instead of charging
 * again. A voucher in wire form must be the very one stored (same signature); a
 * `VerifiedPayment` is a retry in a new envelope, signed again for it, so the same call, amount
 * and agreement by the channel's payer is enough. Undefined otherwise, or without a kept response.
 *
 * @example const first = await firstAnswer(store, payment, requestHash, { chainId, channels })
 */
export async function firstAnswer(
  store: AwaitablePayeeStore,
  payment: unknown,
  requestHash: Hex,
  deployment: { chainId: number; channels: Address },
): Promise<{ response: unknown; receipt: SignedReceipt } | undefined> {
  const verified = isVerifiedPayment(payment) ? payment : undefined
  let data: VoucherPayment
  try {
    data = verified?.payment ?? parsePayment(payment, deployment)
  } catch {
    return undefined
  }
  const { voucher, signature } = data
  const stored = await store.getVoucher(voucher.channelId, voucher.calls)
  const payer = verified && (await store.getChannel(voucher.channelId))?.key.payer
  const same = verified
    ? payer !== undefined &&
      sameAddress(verified.signer, payer) &&
      stored?.cumulativeAmount === voucher.cumulativeAmount &&
      stored.termsHash === voucher.termsHash
    : stored?.signature.toLowerCase() === signature.toLowerCase()
  if (
    stored?.status !== 'committed' ||
    !same ||
    stored.requestHash?.toLowerCase() !== requestHash.toLowerCase() ||
    stored.receipt === undefined ||
    stored.response === undefined
  )
    return undefined
  return { response: stored.response, receipt: stored.receipt }
}
