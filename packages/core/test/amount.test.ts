import { describe, expect, test } from 'vitest'
import { formatAmount, InvalidAmountError, parseAmount, parseBaseUnits } from '../src/index.js'

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidAmountError)
    expect((error as InvalidAmountError).code).toBe('AMOUNT_INVALID')
    return (error as InvalidAmountError).reason
  }
}

describe('parseAmount', () => {
  test.each([
    ['0', 6, 0n],
    ['1', 6, 1_000_000n],
    ['0.05', 6, 50_000n],
    ['12.5', 6, 12_500_000n],
    ['0.000001', 6, 1n],
    ['1.000000', 6, 1_000_000n],
    ['42', 0, 42n],
    ['1.5', 18, 1_500_000_000_000_000_000n],
  ])('%s at %i decimals = %s', (text, decimals, units) => {
    expect(parseAmount(text, decimals)).toBe(units)
  })

  test.each([
    ['0.0000001', 6, 'too_many_decimals'],
    ['1.5', 0, 'too_many_decimals'],
    ['-1', 6, 'negative'],
    ['-0.5', 6, 'negative'],
    ['', 6, 'malformed'],
    [' 1', 6, 'malformed'],
    ['+1', 6, 'malformed'],
    ['1e6', 6, 'malformed'],
    ['01', 6, 'malformed'],
    ['.5', 6, 'malformed'],
    ['5.', 6, 'malformed'],
    ['1,000', 6, 'malformed'],
    ['0x10', 6, 'malformed'],
    ['Infinity', 6, 'malformed'],
    [(2n ** 256n).toString(), 0, 'overflow'],
    [`${(2n ** 256n - 1n) / 10n ** 6n + 1n}`, 6, 'overflow'],
    ['1', -1, 'invalid_decimals'],
    ['1', 1.5, 'invalid_decimals'],
    ['1', 78, 'invalid_decimals'],
  ])('%j at %s decimals is refused: %s', (text, decimals, reason) => {
    expect(reasonOf(() => parseAmount(text, decimals))).toBe(reason)
  })

  test('the largest uint256 parses exactly', () => {
    expect(parseAmount((2n ** 256n - 1n).toString(), 0)).toBe(2n ** 256n - 1n)
  })

  test('the message says what to do', () => {
    expect(() => parseAmount('0.0000001', 6)).toThrowErrorMatchingInlineSnapshot(`
      [InvalidAmountError: Amount has 7 decimal places; this token has 6.

      Details: 0.0000001]
    `)
  })
})

describe('formatAmount', () => {
  test.each([
    [0n, 6, '0'],
    [1n, 6, '0.000001'],
    [50_000n, 6, '0.05'],
    [12_500_000n, 6, '12.5'],
    [1_000_000n, 6, '1'],
    [42n, 0, '42'],
  ])('%s at %i decimals = %s', (units, decimals, text) => {
    expect(formatAmount(units, decimals)).toBe(text)
    expect(parseAmount(text, decimals)).toBe(units)
  })

  test('refuses negative and oversize values', () => {
    expect(reasonOf(() => formatAmount(-1n, 6))).toBe('negative')
    expect(reasonOf(() => formatAmount(2n ** 256n, 6))).toBe('overflow')
  })
})

describe('parseBaseUnits', () => {
  test('follows the ERC-8257 amount grammar', () => {
    expect(parseBaseUnits('20000')).toBe(20_000n)
    expect(reasonOf(() => parseBaseUnits('020000'))).toBe('malformed')
    expect(reasonOf(() => parseBaseUnits('-1'))).toBe('negative')
    expect(reasonOf(() => parseBaseUnits('1.5'))).toBe('malformed')
    expect(reasonOf(() => parseBaseUnits((2n ** 256n).toString()))).toBe('overflow')
  })
})
