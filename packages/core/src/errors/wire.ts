import { z } from 'zod'
import { BaseError } from './base.js'
import { InvalidInputError, parseWith } from './validation.js'

/**
 * The stable reasons a remote agent can be told, each with its numeric code. Codes follow
 * HTTP status semantics so a transport can use them directly; reasons never change meaning.
 */
export const wireReasons = {
  invalid_input: 400,
  invalid_signature: 401,
  payment_required: 402,
  access_denied: 403,
  not_found: 404,
  expired: 408,
  replayed: 409,
  terms_mismatch: 412,
  payload_too_large: 413,
  invalid_voucher: 422,
  quota_exceeded: 429,
  rate_limited: 430,
  internal: 500,
  predicate_failed: 502,
  unavailable: 503,
  timeout: 504,
} as const

/** A stable snake_case reason sent over the wire. */
export type WireReason = keyof typeof wireReasons

/** The JSON form of an error sent to a remote agent. */
export const WireErrorPayload = z.object({
  code: z.number().int(),
  reason: z.string().regex(/^[a-z][a-z0-9_]*$/),
  message: z.string().max(2048),
  data: z.record(z.string(), z.unknown()).optional(),
})
export type WireErrorPayload = z.infer<typeof WireErrorPayload>

/**
 * An error received from (or to be sent to) a remote agent: numeric `wireCode`, stable
 * `reason`. Local code switches on `reason`; `code` is always `REMOTE_ERROR`.
 *
 * @example throw new WireError('payment_required', 'Voucher increment is below the agreed price')
 */
export class WireError extends BaseError {
  override name = 'WireError'
  readonly wireCode: number
  readonly reason: string
  readonly data: Record<string, unknown> | undefined

  constructor(
    reason: WireReason | (string & {}),
    message: string,
    options: { data?: Record<string, unknown>; cause?: unknown; wireCode?: number } = {},
  ) {
    super('REMOTE_ERROR', `${reason}: ${message}`, { cause: options.cause })
    this.reason = reason
    this.wireCode = options.wireCode ?? wireReasons[reason as WireReason] ?? 500
    this.data = options.data
  }

  /** The JSON payload to send. Never includes stack traces or causes. */
  toPayload(): WireErrorPayload {
    const message = this.shortMessage.slice(this.reason.length + 2)
    return {
      code: this.wireCode,
      reason: this.reason,
      message,
      ...(this.data ? { data: this.data } : {}),
    }
  }

  /** Parses a received payload (zod at the boundary) into a WireError. */
  static fromPayload(payload: unknown): WireError {
    const parsed = parseWith(WireErrorPayload, payload, 'wire error payload')
    return new WireError(parsed.reason, parsed.message, {
      wireCode: parsed.code,
      ...(parsed.data ? { data: parsed.data } : {}),
    })
  }
}

/**
 * The wire form of any error: a WireError as is, invalid input as `invalid_input` with its
 * issues, anything else as `internal` without leaking its message.
 */
export function toWireError(error: unknown): WireError {
  if (error instanceof WireError) return error
  if (error instanceof InvalidInputError)
    return new WireError('invalid_input', error.shortMessage, {
      data: { issues: error.issues },
      cause: error,
    })
  return new WireError('internal', 'The agent failed to handle the request', { cause: error })
}
