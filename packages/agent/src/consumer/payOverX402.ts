import type { Budget } from '@gotong/payments'
import { X402PaymentError } from '@gotong/x402'
import type { Address, Hex } from 'viem'
import { AgentError, type AgentErrorCode } from '../errors.js'
import type { ConsumerContext } from './consumerState.js'
import type { X402CallResult } from './types.js'

/** One call to pay over x402: where, with what, within which limits, and why this rail. */
export type PayOverX402Parameters = {
  url: string
  input: unknown
  /** `POST` (the input as a JSON body, the default) or `GET` (the input as query parameters). */
  method?: 'GET' | 'POST' | undefined
  toolId?: bigint | undefined
  tool?: string | undefined
  /** The recipient the offer must name (a listing's), if known. */
  payee?: Address | undefined
  /** The provider the live view names; the payee once paid, if not given. */
  provider?: Address | undefined
  requestHash?: ((authorizationNonce: Hex) => Hex) | undefined
  maxPrice?: bigint | undefined
  /** The call's budgets (its own, its toolkit's or tool's); the agent's own always applies too. */
  budgets?: readonly (Budget | undefined)[] | undefined
  railReason: string
  signal?: AbortSignal | undefined
}

/**
 * Pays one call over x402 with the agent's x402 payer (the agent's budget held, then the
 * call's), and says what happened in the consumer's events. A provider's refusal that names
 * its code (`HANDLER_FAILED`, `INPUT_INVALID`, `GATE_DENIED`…) comes back as an `AgentError`
 * with that code, as on the channel rail; the payer's own refusals keep theirs.
 */
export async function payOverX402(
  consumer: ConsumerContext,
  call: PayOverX402Parameters,
): Promise<X402CallResult> {
  const { toolId, railReason } = call
  const report = (
    provider: Address | undefined,
    outcome: { price: bigint; ok: boolean; code?: string },
  ) =>
    provider &&
    consumer.onEvent?.({ type: 'call', toolId, provider, ...outcome, rail: 'x402', railReason })
  if (!consumer.x402)
    throw new AgentError('TOOL_NOT_FOUND', 'This agent has no x402 payer to pay with.')
  const get = call.method === 'GET'
  try {
    const answer = await consumer.x402.pay({
      url: get ? withQuery(call.url, call.input) : call.url,
      method: get ? 'GET' : 'POST',
      ...(get ? {} : { body: JSON.stringify(call.input ?? {}) }),
      maxPrice: call.maxPrice,
      budgets: (call.budgets ?? []).filter((b): b is Budget => b !== undefined),
      payee: call.payee,
      tool: call.tool,
      requestHash: call.requestHash,
      signal: call.signal,
    })
    const price = answer.payment?.amount ?? 0n
    report(call.provider ?? answer.payment?.payee, { price, ok: true })
    return {
      rail: 'x402',
      railReason,
      output: answer.body,
      receipt: answer.receipt,
      payment: answer.payment,
      toolId,
      price,
      url: call.url,
    }
  } catch (error) {
    const failure = agentFailureOf(error)
    report(call.provider, {
      price: 0n,
      ok: false,
      code: failure instanceof AgentError ? failure.code : codeOf(error),
    })
    throw failure
  }
}

/** A provider's coded refusal after the payment settled nothing, as the agent error it names. */
function agentFailureOf(error: unknown): unknown {
  if (!(error instanceof X402PaymentError) || error.code !== 'X402_REQUEST_FAILED') return error
  const coded = (error.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error
  if (typeof coded?.code !== 'string' || !/^[A-Z_]+$/.test(coded.code)) return error
  return new AgentError(
    coded.code as AgentErrorCode,
    typeof coded.message === 'string' ? coded.message : error.shortMessage,
    { cause: error, data: { status: error.status } },
  )
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? code : 'TOOL_FAILED'
}

function withQuery(url: string, input: unknown): string {
  const target = new URL(url)
  for (const [key, value] of Object.entries((input ?? {}) as Record<string, unknown>))
    target.searchParams.set(key, typeof value === 'string' ? value : JSON.stringify(value))
  return target.toString()
}
