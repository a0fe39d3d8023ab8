import { BaseError, type BaseErrorParameters } from '@gotong/core'
import type { Hex } from 'viem'

/**
 * Codes of {@link X402PaymentError}, the failures of paying an x402 endpoint:
 * - `PRICE_TOO_HIGH`: the cheapest payable offer costs more than `maxPrice`; nothing signed;
 * - `X402_SCHEME_UNSUPPORTED`: no offer is `exact` on this payer's EVM chain; nothing signed;
 * - `X402_ASSET_UNSUPPORTED`: no such offer is in an asset the payer can price (gUSD); nothing signed;
 * - `X402_PAYEE_MISMATCH`: the offer pays someone other than the listing's recipient; nothing signed;
 * - `X402_PAYMENT_FAILED`: the server refused the payment or could not settle it; nothing moved;
 * - `X402_REQUEST_FAILED`: the server answered an error after the payment and settled nothing;
 * - `X402_PAID_NOT_SERVED`: the transfer is on chain but the server answered an error;
 * - `X402_UNANSWERED`: the paid request got no answer; the payment stays held as in doubt;
 * - `X402_RESPONSE_INVALID`: a malformed 402 or payment response, or an output that fails its schema;
 * - `RECEIPT_INVALID`: the provider's signed receipt does not match the call it answers.
 */
export type X402PaymentErrorCode =
  | 'PRICE_TOO_HIGH'
  | 'X402_SCHEME_UNSUPPORTED'
  | 'X402_ASSET_UNSUPPORTED'
  | 'X402_PAYEE_MISMATCH'
  | 'X402_PAYMENT_FAILED'
  | 'X402_REQUEST_FAILED'
  | 'X402_PAID_NOT_SERVED'
  | 'X402_UNANSWERED'
  | 'X402_RESPONSE_INVALID'
  | 'RECEIPT_INVALID'

/**
 * A failed payment to an x402 endpoint. `transaction` is set when money moved (the output may
 * still be missing); `status` and `body` are the server's last answer, when it answered.
 *
 * @example
 * try { await payer.pay({ url, body }) } catch (e) {
 *   if (e instanceof X402PaymentError && e.code === 'PRICE_TOO_HIGH') console.log('too dear')
 * }
 */
export class X402PaymentError extends BaseError {
  override name = 'X402PaymentError'
  readonly status: number | undefined
  readonly transaction: Hex | undefined
  readonly body: unknown
  constructor(
    code: X402PaymentErrorCode,
    shortMessage: string,
    parameters: BaseErrorParameters & {
      status?: number
      transaction?: Hex | undefined
      body?: unknown
    } = {},
  ) {
    super(code, shortMessage, parameters)
    this.status = parameters.status
    this.transaction = parameters.transaction
    this.body = parameters.body
  }
  declare readonly code: X402PaymentErrorCode
}
