import type { Hex } from 'viem'
import { z } from 'zod'

/** 48 bytes (a SHA-384 register) as lowercase 0x-hex, the form measurements take on the wire. */
const register = z
  .string()
  .regex(/^0x[0-9a-f]{96}$/, 'must be 48 bytes of lowercase hex')
  .transform((value) => value as Hex)

/**
 * One accepted TD measurement: MRTD (the initial TD image) and, where named, the run-time
 * registers RTMR0–3 (firmware config, kernel, command line, application). An RTMR left out is
 * not checked, so an entry naming only MRTD accepts any kernel and application on that image.
 */
export const Measurement = z.strictObject({
  mrTd: register,
  rtmr0: register.optional(),
  rtmr1: register.optional(),
  rtmr2: register.optional(),
  rtmr3: register.optional(),
})
export type Measurement = z.infer<typeof Measurement>

/** A measurement allowlist: at least one entry, at most 64. */
export const Measurements = z.array(Measurement).min(1).max(64)

/** The registers a verified quote reports, every one present. */
export const QuoteMeasurements = z.strictObject({
  mrTd: register,
  rtmr0: register,
  rtmr1: register,
  rtmr2: register,
  rtmr3: register,
})
export type QuoteMeasurements = z.infer<typeof QuoteMeasurements>

/**
 * Whether a quote's registers match an allowlist entry: MRTD equal, and every RTMR the entry
 * names equal.
 *
 * @example matchesMeasurements(verdict.measurements, manifestEntry.measurements) // true
 */
export function matchesMeasurements(
  quote: QuoteMeasurements,
  allowlist: readonly Measurement[],
): boolean {
  const registers = ['rtmr0', 'rtmr1', 'rtmr2', 'rtmr3'] as const
  return allowlist.some(
    (entry) =>
      entry.mrTd === quote.mrTd &&
      registers.every((name) => entry[name] === undefined || entry[name] === quote[name]),
  )
}
