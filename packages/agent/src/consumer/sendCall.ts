import { WireError } from '@gotong/core'
import type { Hex } from 'viem'
import { z } from 'zod'
import { AgentError, agentCodeOf } from '../errors.js'
import type { ConsumerContext } from './consumerState.js'
import type { CallBody, Relationship } from './types.js'

const CallAnswer = z.object({ output: z.unknown(), receipt: z.unknown() })
export type CallAnswer = z.output<typeof CallAnswer>

/**
 * Sends a paid call to the provider's `call` route. The idempotency key stays with the call:
 * a re-send is answered from its first result, never served twice.
 */
export function sendCall(
  consumer: ConsumerContext,
  relationship: Relationship,
  body: CallBody,
  idempotencyKey: string,
  signal?: AbortSignal | undefined,
): Promise<CallAnswer> {
  return consumer.transport.request(relationship.provider, `${relationship.routeBase}/call`, body, {
    result: CallAnswer,
    idempotencyKey,
    ...(signal ? { signal } : {}),
  })
}

/** A refusal that settles the call (not a timeout or an outage, after which it may have run). */
export function isDefinite(error: unknown): error is WireError {
  return error instanceof WireError && error.reason !== 'timeout' && error.reason !== 'unavailable'
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
