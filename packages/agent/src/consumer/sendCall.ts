import { contentHash, WireError } from '@gotong/core'
import { ReceiptInvalidError, type SignedReceipt } from '@gotong/payments'
import type { IssuedVoucher } from '@gotong/payments/payer'
import type { Hex } from 'viem'
import { z } from 'zod'
import { AgentError, agentCodeOf } from '../errors.js'
import type { ConsumerContext } from './consumerState.js'
import type { CallBody, PayCall, Relationship } from './types.js'

const CallAnswer = z.object({ output: z.unknown(), receipt: z.unknown() })
export type CallAnswer = z.output<typeof CallAnswer>

/**
 * How a paid call is sent: to the provider's gotong `call` route (`sendCall`), or over another
 * front door of the same provider (A2A), which answers the same way or throws its `WireError`.
 * `pay` makes the payment for what carries the call (see `PayCall`).
 */
export type CallSender = (
  relationship: Relationship,
  body: Omit<CallBody, 'payment'>,
  pay: PayCall,
  idempotencyKey: string,
  signal?: AbortSignal | undefined,
) => Promise<CallAnswer>

/**
 * Sends a paid call to the provider's `call` route. Its envelope goes unsigned: the voucher,
 * signed for the envelope's struct hash, is the request's authentication. The idempotency key
 * stays with the call: a re-send is answered from its first result, never served twice.
 */
export function sendCall(
  consumer: ConsumerContext,
  relationship: Relationship,
  body: Omit<CallBody, 'payment'>,
  pay: PayCall,
  idempotencyKey: string,
  signal?: AbortSignal | undefined,
): Promise<CallAnswer> {
  return consumer.transport.request(relationship.provider, `${relationship.routeBase}/call`, body, {
    result: CallAnswer,
    idempotencyKey,
    authenticate: { field: 'payment', attach: pay },
    ...(signal ? { signal } : {}),
  })
}

/**
 * A refusal that settles the call: not an outage or the client's own timeout, after which it
 * may have run. A provider that timed out its own handler says so (`HANDLER_TIMEOUT`, with the
 * `timeout` reason): it rolled the voucher back, so that is definite too.
 */
export function isDefinite(error: unknown): error is WireError {
  if (!(error instanceof WireError) || error.reason === 'unavailable') return false
  return error.reason !== 'timeout' || agentCodeOf(error) === 'HANDLER_TIMEOUT'
}

/**
 * Confirms a call's voucher with the provider's answer: the receipt must be for this request
 * (checked by the payer) and for this very output (its `responseHash`), so a provider cannot
 * sign for one answer and send another. Throws `ReceiptInvalidError` otherwise.
 */
export function confirmAnswer(
  consumer: ConsumerContext,
  issued: IssuedVoucher,
  answer: CallAnswer,
  requestHash: Hex,
): SignedReceipt {
  const claimed = (answer.receipt as { receipt?: { responseHash?: unknown } } | undefined)?.receipt
    ?.responseHash
  if (typeof claimed !== 'string' || claimed.toLowerCase() !== contentHash(answer.output))
    throw new ReceiptInvalidError("The receipt's responseHash is not the hash of the output sent.")
  return consumer.payer.confirm(issued, answer.receipt, requestHash)
}

/** A provider's refusal as the agent error its code names. */
export function refusalOf(error: WireError): AgentError {
  return new AgentError(agentCodeOf(error) ?? 'PAYMENT_REFUSED', error.shortMessage, {
    cause: error,
    ...(error.data ? { data: error.data } : {}),
  })
}

/** The request a payee's receipt says it served (checked again by `payer.confirm`). */
export function receiptRequestOf(receipt: unknown): Hex {
  const hash = (receipt as { receipt?: { requestHash?: unknown } } | undefined)?.receipt
    ?.requestHash
  return (typeof hash === 'string' ? hash : '0x') as Hex
}
