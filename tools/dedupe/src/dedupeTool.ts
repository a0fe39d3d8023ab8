import { defineTool } from '@gotong/tool'
import { parseCsv } from '@gotong/tool-dataset-stats'
import { z } from 'zod'
import { DedupeResult, dedupeRecords } from './dedupeRecords.js'

/** Input of the dedupe tool: JSON records or CSV text, exactly one. */
export const DedupeInput = z
  .object({
    records: z.array(z.unknown()).min(1).max(50_000).optional().describe('Records (any JSON)'),
    csv: z.string().max(1_000_000).optional().describe('CSV text with a header row'),
    delimiter: z.string().length(1).optional().describe('CSV field delimiter (default ",")'),
    fields: z
      .array(z.string().min(1))
      .min(1)
      .max(100)
      .optional()
      .describe('Compare only these fields'),
    ignoreCase: z.boolean().optional().describe('Compare strings ignoring case'),
    trim: z.boolean().optional().describe('Compare strings ignoring surrounding white space'),
  })
  .refine((input) => (input.records === undefined) !== (input.csv === undefined), {
    message: 'give exactly one of records or csv',
  })
export type DedupeInput = z.infer<typeof DedupeInput>

/**
 * The dedupe tool: duplicate detection by content hash (keccak256 of RFC 8785 canonical JSON).
 *
 * @example
 * const { toolId } = await agent.serve(dedupeTool, { price: '0.001' })
 * const { output } = await consumer.call(toolId, { csv: 'name\nAda\nAda\n' }) // unique: 1
 */
export const dedupeTool = defineTool({
  name: 'dedupe',
  description:
    'Finds duplicate records (JSON or CSV rows) by content hash: each record gets a stable id, keccak256 of its RFC 8785 canonical JSON. Returns the unique records with their ids and the groups of duplicates; can compare chosen fields only, ignoring case or surrounding spaces.',
  tags: ['dedupe', 'dataset', 'hashing'],
  version: '1.0.0',
  input: DedupeInput,
  output: DedupeResult,
  handler: (input) => {
    const records =
      input.csv !== undefined
        ? parseCsv(input.csv, input.delimiter ? { delimiter: input.delimiter } : {})
        : input.records!
    return dedupeRecords(records, {
      ...(input.fields ? { fields: input.fields } : {}),
      ...(input.ignoreCase ? { ignoreCase: true } : {}),
      ...(input.trim ? { trim: true } : {}),
    })
  },
})
