import { defineTool, ToolInputError } from '@gotong/tool'
import { z } from 'zod'
import { DatasetError } from './errors.js'
import { parseCsv } from './parseCsv.js'
import { DatasetProfile, profileDataset } from './profileDataset.js'

/** Input of the dataset-stats tool: CSV text or JSON rows, exactly one. */
export const DatasetStatsInput = z
  .object({
    csv: z.string().max(1_000_000).optional().describe('CSV text with a header row'),
    rows: z
      .array(z.record(z.string(), z.unknown()))
      .min(1)
      .max(50_000)
      .optional()
      .describe('Rows as JSON objects'),
    delimiter: z.string().length(1).optional().describe('CSV field delimiter (default ",")'),
    top: z.number().int().min(1).max(20).optional().describe('Top values per column (default 5)'),
  })
  .refine((input) => (input.csv === undefined) !== (input.rows === undefined), {
    message: 'give exactly one of csv or rows',
  })
export type DatasetStatsInput = z.infer<typeof DatasetStatsInput>

export type CreateDatasetStatsToolOptions = {
  /** Tool name in the directory (default `dataset-stats`). */
  name?: string
  description?: string
  /** `full` adds quartiles and correlations (default `basic`). */
  detail?: 'basic' | 'full'
  /** Manifest tags (default `statistics`, `dataset`, `csv`). */
  tags?: readonly string[]
}

/**
 * Makes a dataset-stats tool. The `full` detail makes a richer (premium) variant.
 *
 * @example
 * const premium = createDatasetStatsTool({ name: 'dataset-stats-premium', detail: 'full' })
 * await agent.serve(premium, { price: '0.01', gate: { erc1155: accessPass, id: 1n } })
 */
export function createDatasetStatsTool(options: CreateDatasetStatsToolOptions = {}) {
  const detail = options.detail ?? 'basic'
  return defineTool({
    name: options.name ?? 'dataset-stats',
    description:
      options.description ??
      (detail === 'full'
        ? 'Profiles a dataset (CSV text or JSON rows) in depth: per-column type, missing values, distinct values, min/max/mean/median/stddev and quartiles, text lengths, date ranges, top values, and correlations between numeric columns.'
        : 'Profiles a dataset (CSV text or JSON rows): per-column type, missing values, distinct values, min/max/mean/median/stddev for numbers, text lengths, date ranges and top values.'),
    tags: options.tags ?? ['statistics', 'dataset', 'csv'],
    version: '1.0.0',
    input: DatasetStatsInput,
    output: DatasetProfile,
    handler: (input) => {
      try {
        const rows =
          input.csv !== undefined
            ? parseCsv(input.csv, input.delimiter ? { delimiter: input.delimiter } : {})
            : input.rows!
        return profileDataset(rows, { detail, ...(input.top ? { top: input.top } : {}) })
      } catch (error) {
        // A dataset it cannot read is the caller's to fix, not a failure of the tool.
        if (error instanceof DatasetError)
          throw new ToolInputError(error.shortMessage, { reason: error.code, cause: error })
        throw error
      }
    },
  })
}

/**
 * The dataset-stats tool: a basic profile of CSV text or JSON rows.
 *
 * @example
 * const { toolId } = await agent.serve(datasetStatsTool, { price: '0.002' })
 * const { output } = await consumer.call(toolId, { csv: 'city,temp\nJakarta,31\nBandung,24\n' })
 */
export const datasetStatsTool = createDatasetStatsTool()
