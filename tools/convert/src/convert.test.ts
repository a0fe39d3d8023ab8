import { describe, expect, test } from 'vitest'
import {
  Conversion,
  ConversionError,
  convert,
  convertTool,
  createConvertTool,
  defaultRates,
  findUnit,
  units,
} from './index.js'

const context = {
  caller: '0x0000000000000000000000000000000000000001',
  termsHash: `0x${'00'.repeat(32)}`,
  signal: new AbortController().signal,
} as const

const failure = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    if (error instanceof ConversionError) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected a ConversionError')
}

describe('convert', () => {
  test('units by definition: inch, pound, US gallon, mile', () => {
    expect(convert(1, 'in', 'cm').result).toBe(2.54)
    expect(convert(1, 'lb', 'g').result).toBe(453.59237)
    expect(convert(1, 'gal', 'in3').result).toBe(231)
    expect(convert(1, 'mi', 'ft').result).toBe(5280)
    expect(convert(10, 'km', 'mi')).toEqual({
      value: 10,
      from: 'km',
      to: 'mi',
      result: 6.21371192237,
      category: 'length',
      text: '10 km = 6.21371 mi',
    })
    expect(convert(1, 'Impgal', 'L').result).toBe(4.54609)
    expect(convert(3, 'tsp', 'tbsp').result).toBe(1)
  })

  test('temperatures are affine; below absolute zero is refused', () => {
    expect(convert(212, 'F', 'C').result).toBe(100)
    expect(convert(-40, 'celsius', '°F').result).toBe(-40)
    expect(convert(0, 'K', 'C').result).toBe(-273.15)
    expect(convert(72, 'fahrenheit', 'kelvin').text).toBe('72 °F = 295.372 K')
    expect(failure(() => convert(-500, 'F', 'C')).code).toBe('BELOW_ABSOLUTE_ZERO')
  })

  test('currencies through the base, with the table’s date and note', () => {
    const usd = convert(100, 'usd', 'IDR')
    expect(usd.result).toBe(Number(((100 / 1.035) * 16_790).toPrecision(12)))
    expect(usd.text).toBe('100.00 USD = 1622222.22 IDR (rates of 2025-01-02)')
    expect(usd.rates).toEqual({
      date: '2025-01-02',
      base: 'EUR',
      note: defaultRates.note,
    })
    expect(convert(1, 'EUR', 'JPY').result).toBe(162.7)
    const own = { date: '2025-06-30', base: 'USD', rates: { SGD: 1.27 }, note: 'treasury desk' }
    expect(convert(2, 'USD', 'SGD', { rates: own })).toMatchObject({
      result: 2.54,
      rates: { date: '2025-06-30', base: 'USD', note: 'treasury desk' },
    })
  })

  test('clear errors: unknown units name the known ones; kinds must match', () => {
    expect(failure(() => convert(1, 'furlong', 'm'))).toEqual({
      code: 'UNKNOWN_UNIT',
      message:
        'Unknown unit "furlong".\n\nKnown length units: m, km, cm, mm, um, nm, in, ft, yd, mi, nmi.',
    })
    expect(failure(() => convert(1, 'USD', 'XYZ')).message).toContain(
      'Known currency units: AUD, BRL',
    )
    expect(failure(() => convert(1, 'kg', 'm'))).toMatchObject({
      code: 'INCOMPATIBLE_UNITS',
      message: expect.stringMatching(/^Cannot convert mass \(kg\) to length \(m\)\./),
    })
    expect(failure(() => convert(1, 'USD', 'kg')).code).toBe('INCOMPATIBLE_UNITS')
    expect(failure(() => convert(1, 'foo', 'bar')).message).toMatch(
      /^Unknown unit "foo"\.\n\nKnown units and currencies: m, km, .*, K, C, F, AUD, .*, ZAR\.$/,
    )
  })

  test('no unit name or alias is also a currency code or another unit', () => {
    const names = units.flatMap((u) => [u.symbol, u.name, ...u.aliases].map((n) => n.toLowerCase()))
    const currencies = [defaultRates.base, ...Object.keys(defaultRates.rates)].map((c) =>
      c.toLowerCase(),
    )
    expect(names.filter((n) => currencies.includes(n))).toEqual([])
    for (const unit of units) expect(findUnit(unit.symbol)).toBe(unit)
  })
})

describe('convert tool', () => {
  test('converts behind its schemas', async () => {
    const input = convertTool.input.parse({ value: 5, from: 'kg', to: 'lb' })
    const output = Conversion.parse(await convertTool.handler(input, context))
    expect(output.result).toBe(11.0231131092)
  })

  test('unknown and incompatible units fail input validation with the reason', () => {
    const unknown = convertTool.input.safeParse({ value: 1, from: 'parsec', to: 'm' })
    expect(unknown.error?.issues[0]?.message).toMatch(/^Unknown unit "parsec"\. Known length units/)
    const mixed = convertTool.input.safeParse({ value: 1, from: 'l', to: 'kg' })
    expect(mixed.error?.issues[0]?.message).toMatch(/^Cannot convert volume \(l\) to mass \(kg\)/)
    const custom = createConvertTool({
      rates: { date: '2025-06-30', base: 'USD', rates: { EUR: 0.85 }, note: 'x' },
    })
    expect(custom.input.safeParse({ value: 1, from: 'USD', to: 'JPY' }).success).toBe(false)
    expect(custom.description).toContain('2025-06-30')
  })
})
