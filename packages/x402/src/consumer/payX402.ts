import { BaseError } from '@gotong/core'
import { type Reservation, reserveAll } from '@gotong/payments'
import { x402Client, x402HTTPClient } from '@x402/core/client'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { wrapFetchWithPayment } from '@x402/fetch'
import type { X402Payment } from '../ledger/types.js'
import { X402PaymentError } from './errors.js'
import { exactV1Scheme } from './exactV1Scheme.js'
import { guardedSigner } from './guardedSigner.js'
import { type ChosenRequirement, selectRequirement } from './selectRequirement.js'
import { settleAnswer, settleIfUsed } from './settleAnswer.js'
import type { X402Answer, X402PayerParameters, X402Request } from './types.js'

/** What one paid request learns as x402's client goes: set by its hooks, in order. */
export type PaymentState = {
  chosen?: ChosenRequirement
  reservation?: Reservation
  /** The payment as recorded just before its authorization was signed. */
  payment?: X402Payment
  /** The signed payment left for the server. */
  sent?: boolean
  /** Why the policy refused to pay (a budget), rethrown as is. */
  refusal?: unknown
}

/**
 * One request to an x402 endpoint through x402's own client (`@x402/fetch`, the `exact` EVM
 * scheme, v2 `PAYMENT-SIGNATURE` and v1 `X-PAYMENT`), under gotong's policy: the offer is chosen
 * (this chain, an asset it can price, the expected payee, at most `maxPrice`), then every
 * budget is reserved, then the payment is recorded, and only then is the authorization signed.
 * A refusal at any step signs and sends nothing; a failed payment frees what it held.
 *
 * @example const { body, payment } = await payX402(parameters, { url, body: '{"q":1}', maxPrice: 2_000n })
 */
export async function payX402(
  payer: X402PayerParameters,
  request: X402Request,
): Promise<X402Answer> {
  const { account, chainId } = payer
  const now = payer.now ?? Date.now
  const state: PaymentState = {}
  const v2 = new ExactEvmScheme(
    guardedSigner(
      account,
      () => state.chosen,
      ({ nonce }) => {
        const chosen = state.chosen!
        const payment: X402Payment = {
          direction: 'paid',
          payer: account.address,
          payee: chosen.payTo,
          authorizationNonce: nonce,
          network: `eip155:${chainId}`,
          asset: chosen.asset,
          amount: chosen.amount,
          resource: request.url,
          tool: request.tool,
          requestHash:
            typeof request.requestHash === 'function'
              ? request.requestHash(nonce)
              : request.requestHash,
          status: 'reserved',
          transaction: undefined,
          receipt: undefined,
          failure: undefined,
          createdAt: now(),
          settledAt: undefined,
        }
        if (payer.ledger && !payer.ledger.reserve(payment))
          throw new X402PaymentError('X402_RESPONSE_INVALID', `Nonce ${nonce} was used before.`)
        state.payment = payment
      },
    ),
  )
  const v1Networks = payer.v1Networks ?? []
  const client = new x402Client()
    .register(`eip155:${chainId}`, v2)
    .setSpendControls(false) // the policy below is the spend control: it knows gUSD
    .registerPolicy((_, offers) => offers.filter((offer) => offer === state.chosen?.raw))
    .onBeforePaymentCreation(async ({ selectedRequirements }) => {
      const chosen = state.chosen!
      if (selectedRequirements !== chosen.raw)
        return { abort: true, reason: 'not the offer the policy chose' }
      try {
        state.reservation = reserveAll(
          [...(payer.budgets ?? []), ...(request.budgets ?? [])],
          chosen.amount,
          { payee: chosen.payTo },
        )
      } catch (error) {
        state.refusal = error
        return { abort: true, reason: error instanceof Error ? error.message : String(error) }
      }
    })
    .onAfterPaymentCreation(async () => {
      state.sent = true
    })
    .onPaymentCreationFailure(async ({ error }) => {
      // x402's fetch wrapper rethrows this as prose: keep the typed error (a refused signature).
      state.refusal ??= error
    })
  for (const name of v1Networks) client.registerV1(name, exactV1Scheme(v2, chainId))
  const http = new x402HTTPClient(client).onPaymentRequired(async ({ paymentRequired }) => {
    state.chosen = selectRequirement(paymentRequired, {
      chainId,
      assets: payer.assets,
      v1Networks,
      maxPrice: request.maxPrice,
      payee: request.payee,
    })
  })
  const paidFetch = wrapFetchWithPayment(payer.fetch ?? globalThis.fetch, http)
  const method = request.method ?? (request.body === undefined ? 'GET' : 'POST')
  let response: Response
  try {
    response = await paidFetch(request.url, {
      method,
      headers: {
        accept: 'application/json',
        ...(request.body !== undefined
          ? { 'content-type': request.contentType ?? 'application/json' }
          : {}),
        ...request.headers,
      },
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    })
  } catch (error) {
    return Promise.reject(await unsent(payer, state, error, now))
  }
  return settleAnswer(payer, request, state, response, http)
}

/**
 * The request failed before an answer: if no payment left, nothing is held and the refusal (or
 * the failure) is thrown; if one did, the chain says whether it moved, else it stays held.
 */
async function unsent(
  payer: X402PayerParameters,
  state: PaymentState,
  error: unknown,
  now: () => number,
): Promise<unknown> {
  const { payment } = state
  if (!state.sent) {
    state.reservation?.release()
    const reason = state.refusal ?? error
    if (payment)
      payer.ledger?.fail(payment, `not sent: ${reason instanceof Error ? reason.message : reason}`)
    if (reason instanceof BaseError) return reason
    return new X402PaymentError('X402_REQUEST_FAILED', 'The request failed; nothing was paid.', {
      cause: reason,
    })
  }
  const moved = await settleIfUsed(payer, state, now).catch(() => undefined)
  return moved
    ? new X402PaymentError(
        'X402_PAID_NOT_SERVED',
        'The paid request got no answer, and the transfer is on chain.',
        { cause: error, transaction: moved.transaction },
      )
    : new X402PaymentError(
        'X402_UNANSWERED',
        'The paid request got no answer; its payment is held as in doubt until it is known.',
        { cause: error },
      )
}
