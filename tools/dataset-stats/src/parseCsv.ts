import { parse } from 'csv-parse/sync'
import { DatasetError } from './errors.js'

/** Most columns a dataset may have; wider tables are refused rather than profiled slowly. */
export const maxColumns = 500

export type ParseCsvOptions = {
  /** Field delimiter; `,` by default. */
  delimiter?: string
}

/**
 * Parses CSV with a header row into records of strings (fields trimmed, blank lines skipped,
 * a byte-order mark ignored). Blank header names become `column_<n>`.
 *
 * @throws DatasetError `CSV_INVALID` (ragged rows, bad quoting, duplicate header names),
 *   `DATASET_TOO_WIDE`
 * @example parseCsv('city,temp\nJakarta,31\n') // [{ city: 'Jakarta', temp: '31' }]
 */
export function parseCsv(csv: string, options: ParseCsvOptions = {}): Record<string, string>[] {
  try {
    return parse(csv, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      delimiter: options.delimiter ?? ',',
      columns: (header: string[]) => headerNames(header),
    }) as Record<string, string>[]
  } catch (cause) {
    if (cause instanceof DatasetError) throw cause
    // The parser's own words say where and why (a row's length, an unclosed quote).
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new DatasetError('CSV_INVALID', `The CSV could not be parsed: ${reason}`, { cause })
  }
}

function headerNames(header: string[]): string[] {
  if (header.length > maxColumns)
    throw new DatasetError(
      'DATASET_TOO_WIDE',
      `The dataset has ${header.length} columns; at most ${maxColumns} are profiled.`,
    )
  const names = header.map((name, i) => (name === '' ? `column_${i + 1}` : name))
  const seen = new Set<string>()
  for (const name of names) {
    if (seen.has(name))
      throw new DatasetError('CSV_INVALID', `The CSV header names column "${name}" twice.`)
    seen.add(name)
  }
  return names
}
