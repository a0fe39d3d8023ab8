import { InvalidAmountError } from '../errors/amount.js'

/** The largest value a uint256 can hold: every on-chain amount must fit. */
export const maxUint256 = 2n ** 256n - 1n

const decimalPattern = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/

/**
 * Parses a human decimal string (`"12.5"`) into token base units (`12500000n` at 6 decimals).
 * Refuses anything lossy or ambiguous: more fractional digits than the token has, a sign,
 * exponents, spaces, leading zeros, or a value beyond uint256.
 *
 * @param value    decimal string, e.g. "0.05"
 * @param decimals the token's decimals (0..77)
 * @returns the amount in base units
 * @example parseAmount('0.05', 6) // 50000n
 */
export function parseAmount(value: string, decimals: number): bigint {
  assertDecimals(decimals)
  if (typeof value !== 'string')
    throw new InvalidAmountError('malformed', 'Amount must be a decimal string.')
  if (value.startsWith('-'))
    throw new InvalidAmountError('negative', 'Amount must not be negative.', value)
  if (!decimalPattern.test(value))
    throw new InvalidAmountError(
      'malformed',
      'Amount must be a plain decimal like "12" or "0.05" (no sign, exponent, spaces or leading zeros).',
      JSON.stringify(value),
    )
  const [whole = '0', fraction = ''] = value.split('.')
  if (fraction.length > decimals)
    throw new InvalidAmountError(
      'too_many_decimals',
      `Amount has ${fraction.length} decimal places; this token has ${decimals}.`,
      value,
    )
  const units = BigInt(whole + fraction.padEnd(decimals, '0'))
  if (units > maxUint256)
    throw new InvalidAmountError('overflow', 'Amount does not fit in uint256.', value)
  return units
}

/**
 * Formats base units as the shortest exact decimal string (`12500000n`, 6 → `"12.5"`).
 *
 * @example formatAmount(50000n, 6) // "0.05"
 */
export function formatAmount(units: bigint, decimals: number): string {
  assertDecimals(decimals)
  if (units < 0n) throw new InvalidAmountError('negative', 'Amount must not be negative.')
  if (units > maxUint256)
    throw new InvalidAmountError('overflow', 'Amount does not fit in uint256.', String(units))
  const digits = units.toString().padStart(decimals + 1, '0')
  const whole = digits.slice(0, digits.length - decimals)
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '')
  return fraction ? `${whole}.${fraction}` : whole
}

/**
 * Parses an on-chain amount written in base units (`"20000"`), the ERC-8257 grammar:
 * `^(0|[1-9][0-9]*)$`, at most 78 digits, at most uint256 max.
 *
 * @example parseBaseUnits('20000') // 20000n
 */
export function parseBaseUnits(value: string): bigint {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]*)$/.test(value)) {
    if (typeof value === 'string' && value.startsWith('-'))
      throw new InvalidAmountError('negative', 'Amount must not be negative.', value)
    throw new InvalidAmountError(
      'malformed',
      'Amount must be a whole number of base units without sign or leading zeros.',
      JSON.stringify(value),
    )
  }
  if (value.length > 78 || BigInt(value) > maxUint256)
    throw new InvalidAmountError('overflow', 'Amount does not fit in uint256.', value)
  return BigInt(value)
}

function assertDecimals(decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 77)
    throw new InvalidAmountError(
      'invalid_decimals',
      'Token decimals must be an integer from 0 to 77.',
      String(decimals),
    )
}
