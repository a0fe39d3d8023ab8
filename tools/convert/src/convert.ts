import { z } from 'zod'
import { ConversionError } from './errors.js'
import { defaultRates, type RateTable } from './rates.js'
import { findUnit, type Unit, type UnitCategory, units } from './units.js'

/** The result of a conversion, with the rate table's date and note for currencies. */
export const Conversion = z.object({
  value: z.number(),
  /** Canonical symbols of the units (or ISO 4217 codes). */
  from: z.string(),
  to: z.string(),
  result: z.number(),
  category: z.enum(['length', 'mass', 'volume', 'temperature', 'currency']),
  /** `10 km = 6.21371 mi` (six significant figures; currencies to the cent), for people. */
  text: z.string(),
  rates: z.object({ date: z.string(), base: z.string(), note: z.string() }).optional(),
})
export type Conversion = z.infer<typeof Conversion>

type Resolved = { kind: 'unit'; unit: Unit } | { kind: 'currency'; code: string; perBase: number }

export type ConvertOptions = {
  /** Exchange rates for currencies (the bundled, dated table by default). */
  rates?: RateTable
}

/**
 * Converts a value between units of length, mass, volume or temperature, or between
 * currencies using a fixed, dated rate table (whose date every currency result carries).
 * Results are rounded to 12 significant figures, which drops floating-point noise only.
 *
 * @throws ConversionError `UNKNOWN_UNIT`, `INCOMPATIBLE_UNITS`, `BELOW_ABSOLUTE_ZERO`
 * @example
 * convert(10, 'km', 'mi').result // 6.21371192237
 * convert(100, 'USD', 'IDR') // { result: 1622222.22222, rates: { date: '2025-01-02', … }, … }
 */
export function convert(
  value: number,
  from: string,
  to: string,
  options: ConvertOptions = {},
): Conversion {
  const rates = options.rates ?? defaultRates
  const [source, target] = resolveUnits(from, to, rates)
  if (source.kind === 'currency' && target.kind === 'currency') {
    const result = round((value / source.perBase) * target.perBase)
    return {
      value,
      from: source.code,
      to: target.code,
      result,
      category: 'currency',
      text: `${money(value)} ${source.code} = ${money(result)} ${target.code} (rates of ${rates.date})`,
      rates: { date: rates.date, base: rates.base, note: rates.note },
    }
  }
  const a = (source as { unit: Unit }).unit
  const b = (target as { unit: Unit }).unit
  const base = value * a.factor + (a.offset ?? 0)
  if (a.category === 'temperature' && base < 0)
    throw new ConversionError(
      'BELOW_ABSOLUTE_ZERO',
      `${value} ${a.symbol} is below absolute zero (0 K).`,
    )
  const result = round((base - (b.offset ?? 0)) / b.factor)
  return {
    value,
    from: a.symbol,
    to: b.symbol,
    result,
    category: a.category,
    text: `${format(value)} ${shown(a)} = ${format(result)} ${shown(b)}`,
  }
}

/**
 * Resolves both units and checks they measure the same kind of thing.
 *
 * @throws ConversionError `UNKNOWN_UNIT`, `INCOMPATIBLE_UNITS`
 * @example resolveUnits('km', 'mi', defaultRates) // [{ kind: 'unit', … }, { kind: 'unit', … }]
 */
export function resolveUnits(from: string, to: string, rates: RateTable): [Resolved, Resolved] {
  const source = resolve(from, rates)
  const target = resolve(to, rates)
  if (!source || !target) {
    const known = source ?? target
    const name = source ? to : from
    throw new ConversionError('UNKNOWN_UNIT', `Unknown unit "${name}".`, {
      metaMessages: [
        known
          ? `Known ${categoryOf(known)} units: ${knownNames(known, rates).join(', ')}.`
          : `Known units and currencies: ${knownNames(known, rates).join(', ')}.`,
      ],
    })
  }
  const [a, b] = [categoryOf(source), categoryOf(target)]
  if (a !== b)
    throw new ConversionError(
      'INCOMPATIBLE_UNITS',
      `Cannot convert ${a} (${from}) to ${b} (${to}).`,
      { metaMessages: [`Known ${a} units: ${knownNames(source, rates).join(', ')}.`] },
    )
  return [source, target]
}

function resolve(name: string, rates: RateTable): Resolved | undefined {
  const unit = findUnit(name)
  if (unit) return { kind: 'unit', unit }
  const code = name.trim().toUpperCase()
  if (code === rates.base) return { kind: 'currency', code, perBase: 1 }
  const perBase = rates.rates[code]
  return perBase ? { kind: 'currency', code, perBase } : undefined
}

function categoryOf(resolved: Resolved | undefined): UnitCategory | 'currency' | 'any' {
  if (!resolved) return 'any'
  return resolved.kind === 'currency' ? 'currency' : resolved.unit.category
}

function knownNames(resolved: Resolved | undefined, rates: RateTable): string[] {
  const category = categoryOf(resolved)
  const currencies = [rates.base, ...Object.keys(rates.rates)].sort()
  if (category === 'currency') return currencies
  const symbols = units.filter((u) => category === 'any' || u.category === category)
  return [...symbols.map((u) => u.symbol), ...(category === 'any' ? currencies : [])]
}

function round(value: number): number {
  return Number(value.toPrecision(12))
}

function format(value: number): string {
  return String(Number(value.toPrecision(6)))
}

function money(value: number): string {
  return value.toFixed(2)
}

function shown(unit: Unit): string {
  return unit.category === 'temperature' && unit.symbol !== 'K' ? `°${unit.symbol}` : unit.symbol
}
