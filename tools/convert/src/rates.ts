import { z } from 'zod'

/** A dated table of exchange rates: units of each currency per one unit of `base`. */
export const RateTable = z.object({
  /** The day the rates describe (YYYY-MM-DD); every conversion reports it. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** ISO 4217 code the rates are quoted against. */
  base: z.string().regex(/^[A-Z]{3}$/),
  rates: z.record(z.string().regex(/^[A-Z]{3}$/), z.number().positive()),
  /** Where the rates come from and how far to trust them. */
  note: z.string(),
})
export type RateTable = z.infer<typeof RateTable>

/**
 * The bundled rate table: approximate mid-market rates against the euro at the start of
 * January 2025, rounded to three or four significant figures. Fixed in the package so answers
 * are reproducible; pass your own table (`createConvertTool({ rates })`) for current rates.
 */
export const defaultRates: RateTable = {
  date: '2025-01-02',
  base: 'EUR',
  note: 'Approximate mid-market rates, rounded; fixed in @gotong/tool-convert, not live. Not for settlement.',
  rates: {
    USD: 1.035,
    JPY: 162.7,
    GBP: 0.829,
    CHF: 0.94,
    CNY: 7.58,
    AUD: 1.67,
    CAD: 1.49,
    NZD: 1.84,
    SGD: 1.41,
    HKD: 8.05,
    INR: 88.8,
    IDR: 16_790,
    KRW: 1_525,
    MYR: 4.64,
    THB: 35.6,
    PHP: 60,
    ZAR: 19.5,
    BRL: 6.42,
    MXN: 21.3,
    SEK: 11.5,
    NOK: 11.8,
    DKK: 7.46,
  },
}
