import { BaseError } from './base.js'

/** Why an amount string was refused. */
export type InvalidAmountReason =
  | 'malformed'
  | 'negative'
  | 'too_many_decimals'
  | 'overflow'
  | 'invalid_decimals'

/** A decimal amount that cannot be turned into token base units without loss. */
export class InvalidAmountError extends BaseError {
  override name = 'InvalidAmountError'
  readonly reason: InvalidAmountReason

  constructor(reason: InvalidAmountReason, shortMessage: string, details?: string) {
    super('AMOUNT_INVALID', shortMessage, { details })
    this.reason = reason
  }
}
