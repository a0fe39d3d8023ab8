import { BaseError, type BaseErrorParameters, type WireReason } from '@gotong/core'

/**
 * Why a payee refused a voucher. Each has its own error code (`VOUCHER_<REASON>`) and the wire
 * reason a remote payer is told.
 */
export const voucherRejections = {
  malformed: 'invalid_voucher',
  wrong_chain: 'invalid_voucher',
  wrong_contract: 'invalid_voucher',
  unknown_channel: 'invalid_voucher',
  wrong_channel: 'invalid_voucher',
  terms_mismatch: 'terms_mismatch',
  bad_signature: 'invalid_signature',
  request_mismatch: 'invalid_signature',
  channel_closing: 'payment_required',
  over_deposit: 'payment_required',
  underpriced: 'payment_required',
  non_monotonic: 'invalid_voucher',
  replayed: 'replayed',
  quota_exceeded: 'quota_exceeded',
  agreement_expired: 'expired',
} as const satisfies Record<string, WireReason>

export type VoucherRejection = keyof typeof voucherRejections

/**
 * A voucher the payee will not accept. Nothing was recorded. `data` tells an honest payer how to
 * recover, e.g. the newest voucher the payee holds on a `non_monotonic` or `replayed` refusal.
 *
 * @example
 * try { await payee.acceptVoucher(payment, call) } catch (e) {
 *   if (e instanceof VoucherRejectedError) reply(e.wireReason, e.shortMessage, e.data)
 * }
 */
export class VoucherRejectedError extends BaseError {
  override name = 'VoucherRejectedError'
  readonly reason: VoucherRejection
  readonly wireReason: WireReason
  readonly data: Record<string, unknown> | undefined

  constructor(
    reason: VoucherRejection,
    shortMessage: string,
    parameters: BaseErrorParameters & { data?: Record<string, unknown> } = {},
  ) {
    super(`VOUCHER_${reason.toUpperCase()}`, shortMessage, parameters)
    this.reason = reason
    this.wireReason = voucherRejections[reason]
    this.data = parameters.data
  }
}

/** A spend that would cross a budget limit or pay a payee off the allowlist. Nothing was reserved. */
export class BudgetExceededError extends BaseError {
  override name = 'BudgetExceededError'
  constructor(
    code: 'BUDGET_EXCEEDED' | 'BUDGET_PAYEE_NOT_ALLOWED',
    shortMessage: string,
    parameters: BaseErrorParameters & { scope: string } = { scope: '' },
  ) {
    super(code, shortMessage, parameters)
    this.scope = parameters.scope
  }
  /** The budget scope (`swarm/agent/agreement`) whose limit held. */
  readonly scope: string
}

/** Codes of {@link ChannelError}. */
export type ChannelErrorCode =
  | 'CHANNEL_UNKNOWN'
  | 'CHANNEL_NOT_OPEN'
  | 'CHANNEL_DEPOSIT_EXHAUSTED'
  | 'CHANNEL_MISMATCH'
  | 'CHANNEL_TX_FAILED'
  | 'CHANNEL_NOTHING_TO_CLAIM'

/** A channel operation that cannot proceed (unknown, closing, out of deposit, reverted). */
export class ChannelError extends BaseError {
  override name = 'ChannelError'
  constructor(code: ChannelErrorCode, shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(code, shortMessage, parameters)
  }
}

/** A receipt that does not match the voucher it answers or is not signed by the payee. */
export class ReceiptInvalidError extends BaseError {
  override name = 'ReceiptInvalidError'
  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super('RECEIPT_INVALID', shortMessage, parameters)
  }
}

/** A store file this version of gotong cannot open (written by a newer or unknown schema). */
export class StoreError extends BaseError {
  override name = 'StoreError'
  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super('STORE_SCHEMA_UNKNOWN', shortMessage, parameters)
  }
}

/** A shared ledger (PostgreSQL) that cannot be opened: unreachable, refused, or misnamed. */
export class LedgerUnavailableError extends BaseError {
  override name = 'LedgerUnavailableError'
  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super('LEDGER_UNAVAILABLE', shortMessage, parameters)
  }
}
