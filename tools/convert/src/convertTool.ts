import { defineTool } from '@gotong/tool'
import { z } from 'zod'
import { Conversion, convert, resolveUnits } from './convert.js'
import { ConversionError } from './errors.js'
import { defaultRates, type RateTable } from './rates.js'

export type CreateConvertToolOptions = {
  /** Exchange rates (the bundled, dated table by default). */
  rates?: RateTable
}

/**
 * Makes a convert tool over a rate table. Unknown or incompatible units are refused by the
 * input schema, so a remote caller gets `INPUT_INVALID` naming the unit and the known ones,
 * and is not charged.
 *
 * @example
 * const tool = createConvertTool({ rates: { date: '2025-06-30', base: 'USD', rates: { EUR: 0.85 }, note: 'treasury' } })
 */
export function createConvertTool(options: CreateConvertToolOptions = {}) {
  const rates = options.rates ?? defaultRates
  const input = z
    .object({
      value: z.number().finite().describe('The amount to convert'),
      from: z
        .string()
        .min(1)
        .max(32)
        .describe('Unit or currency to convert from (km, lb, °F, USD)'),
      to: z.string().min(1).max(32).describe('Unit or currency to convert to'),
    })
    .superRefine((value, ctx) => {
      try {
        resolveUnits(value.from, value.to, rates)
      } catch (error) {
        if (!(error instanceof ConversionError)) throw error
        ctx.addIssue({
          code: 'custom',
          message: [error.shortMessage, ...(error.metaMessages ?? [])].join(' '),
          params: { rule: error.code.toLowerCase() },
        })
      }
    })
  return defineTool({
    name: 'convert',
    description: `Converts between units of length, mass, volume and temperature (m, km, in, ft, mi, kg, lb, oz, l, ml, gal, °C, °F, K, …) and between currencies (ISO 4217 codes) at a fixed rate table dated ${rates.date}, reported with every currency result.`,
    tags: ['conversion', 'units', 'currency'],
    version: '1.0.0',
    input,
    output: Conversion,
    handler: ({ value, from, to }) => convert(value, from, to, { rates }),
  })
}

/**
 * The convert tool with the bundled units and rate table.
 *
 * @example
 * const { toolId } = await agent.serve(convertTool, { price: '0.0005' })
 * const { output } = await consumer.call(toolId, { value: 72, from: 'F', to: 'C' }) // 22.2222222222
 */
export const convertTool = createConvertTool()
