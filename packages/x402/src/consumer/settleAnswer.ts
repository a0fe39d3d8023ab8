import type { SignedX402Receipt } from '@gotong/core'
import type { x402HTTPClient } from '@x402/core/client'
import type { SettleResponse } from '@x402/core/types'
import { type Hex, isHash } from 'viem'
import { X402PaymentError } from './errors.js'
import { findTransfer } from './findTransfer.js'
import type { PaymentState } from './payX402.js'
import type { X402Answer, X402PayerParameters, X402Request } from './types.js'
import { verifyX402Receipt } from './verifyX402Receipt.js'

/** Where a gotong provider puts its signed receipt in the `PAYMENT-RESPONSE`'s extensions. */
export const gotongReceiptExtension = 'dev.gotong.receipt'

/**
 * What a paid request's answer means for the money: the transfer is on chain when the
 * `PAYMENT-RESPONSE` says so with a transaction, or else when the token says the authorization
 * was used. Then every budget commits and the ledger settles (with the provider's receipt,
 * verified, if it sent one). When nothing moved and the answer is an error, everything held is
 * freed. An output served with nothing settled stays held: its authorization is still good.
 */
export async function settleAnswer(
  payer: X402PayerParameters,
  request: X402Request,
  state: PaymentState,
  response: Response,
  http: x402HTTPClient,
): Promise<X402Answer> {
  const now = payer.now ?? Date.now
  const settlement = settlementOf(http, response)
  const body = await bodyOf(response)
  const { status } = response
  const payment = state.payment
  if (!payment) {
    if (!response.ok) throw failed(http, 'X402_REQUEST_FAILED', response, body, settlement)
    return { status, body, payment: undefined, receipt: undefined, settlement }
  }
  let transaction: Hex | undefined
  if (settlement?.success && isHash(settlement.transaction)) {
    state.reservation?.commit()
    transaction = settlement.transaction
  } else {
    const moved = await settleIfUsed(payer, state, now)
    if (!moved) {
      if (response.ok) return { status, body, payment, receipt: undefined, settlement }
      state.reservation?.release()
      const error = failed(
        http,
        status === 402 ? 'X402_PAYMENT_FAILED' : 'X402_REQUEST_FAILED',
        response,
        body,
        settlement,
      )
      payer.ledger?.fail(payment, error.shortMessage)
      throw error
    }
    transaction = moved.transaction
  }
  if (!response.ok) {
    if (transaction) payer.ledger?.settle(payment, { transaction, settledAt: now() })
    throw failed(http, 'X402_PAID_NOT_SERVED', response, body, settlement, transaction)
  }
  let receipt: SignedX402Receipt | undefined
  let invalid: unknown
  const sent = settlement?.extensions?.[gotongReceiptExtension]
  if (sent !== undefined && transaction && payer.receiptDomain)
    receipt = await verifyX402Receipt({
      receipt: sent,
      signer: request.receiptSigner ?? payment.payee,
      payment: { ...payment, transaction },
      output: body,
      domain: { chainId: payer.chainId, verifyingContract: payer.receiptDomain.verifyingContract },
    }).catch((error: unknown) => {
      invalid = error
      return undefined
    })
  if (!transaction) return { status, body, payment, receipt: undefined, settlement }
  const settledAt = now()
  payer.ledger?.settle(payment, { transaction, receipt, settledAt })
  if (invalid) throw invalid
  return {
    status,
    body,
    payment: { ...payment, status: 'settled', transaction, receipt, settledAt },
    receipt,
    settlement,
  }
}

/**
 * Asks the token whether the payment's authorization was used: if so the budgets commit and, its
 * transaction found, the ledger settles. Undefined when nothing moved.
 */
export async function settleIfUsed(
  payer: X402PayerParameters,
  state: PaymentState,
  now: () => number,
): Promise<{ transaction: Hex | undefined } | undefined> {
  const payment = state.payment!
  const found = await findTransfer(payer.publicClient, {
    asset: payment.asset,
    payer: payment.payer,
    nonce: payment.authorizationNonce,
  })
  if (!found.used) return undefined
  state.reservation?.commit()
  if (found.transaction)
    payer.ledger?.settle(payment, { transaction: found.transaction, settledAt: now() })
  return { transaction: found.transaction }
}

function settlementOf(http: x402HTTPClient, response: Response): SettleResponse | undefined {
  try {
    return http.getPaymentSettleResponse((name) => response.headers.get(name))
  } catch {
    return undefined
  }
}

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text()
  if (!/\bjson\b/i.test(response.headers.get('content-type') ?? '')) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function failed(
  http: x402HTTPClient,
  code: 'X402_PAYMENT_FAILED' | 'X402_REQUEST_FAILED' | 'X402_PAID_NOT_SERVED',
  response: Response,
  body: unknown,
  settlement: SettleResponse | undefined,
  transaction?: Hex,
): X402PaymentError {
  const reason =
    settlement?.errorReason ??
    settlement?.errorMessage ??
    refusalOf(http, response, body) ??
    (typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body)?.slice(0, 200))
  const what = {
    X402_PAYMENT_FAILED: 'The endpoint refused the payment; nothing was paid.',
    X402_REQUEST_FAILED: `The endpoint answered ${response.status}; nothing was paid.`,
    X402_PAID_NOT_SERVED: `The endpoint answered ${response.status} after the transfer settled.`,
  }[code]
  return new X402PaymentError(code, what, {
    status: response.status,
    transaction,
    body,
    ...(reason ? { details: reason } : {}),
  })
}

/** The `error` of a 402 answering a payment (x402 puts the facilitator's reason there). */
function refusalOf(http: x402HTTPClient, response: Response, body: unknown): string | undefined {
  if (response.status !== 402) return undefined
  try {
    return http.getPaymentRequiredResponse((name) => response.headers.get(name), body).error
  } catch {
    return undefined
  }
}
