import { gotongTokenDecimals } from '@gotong/chain'
import { InvalidAmountError, parseAmount } from '@gotong/core'
import { type Budget, createBudget } from '@gotong/payments'

/** An amount of gUSD: base units as a bigint, or a decimal string in token units ("0.002"). */
export type Amount = bigint | string

/** A budget, or the most it may spend as an `Amount` (a budget of its own is made for it). */
export type BudgetOption = Budget | Amount

/** Base units of an `Amount`; a malformed or negative one is refused with `AMOUNT_INVALID`. */
export function toBaseUnits(amount: Amount): bigint {
  if (typeof amount === 'string') return parseAmount(amount, gotongTokenDecimals)
  if (amount < 0n) throw new InvalidAmountError('negative', 'Amount must not be negative.')
  return amount
}

/** The budget an option names: itself, or a new one capped at the amount given. */
export function toBudget(option: BudgetOption, scope: string): Budget {
  return typeof option === 'object' ? option : createBudget(scope, { max: toBaseUnits(option) })
}

/** `maxPrice` and `budget` of user options in the runtime's forms (bigint, `Budget`). */
export function spendLimitsOf(
  options: { maxPrice?: Amount | undefined; budget?: BudgetOption | undefined },
  scope: string,
): { maxPrice?: bigint; budget?: Budget } {
  return {
    ...(options.maxPrice !== undefined ? { maxPrice: toBaseUnits(options.maxPrice) } : {}),
    ...(options.budget !== undefined ? { budget: toBudget(options.budget, scope) } : {}),
  }
}
