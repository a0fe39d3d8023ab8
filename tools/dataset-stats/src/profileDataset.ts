import { z } from 'zod'
import { DatasetError } from './errors.js'
import { maxColumns } from './parseCsv.js'

/** What a column holds: one kind of value throughout, several (`mixed`), or none (`empty`). */
export const ColumnType = z.enum(['number', 'boolean', 'date', 'string', 'mixed', 'empty'])
export type ColumnType = z.infer<typeof ColumnType>

/** Statistics of a numeric column. `stddev` is the sample standard deviation (n − 1). */
export const NumericSummary = z.object({
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  median: z.number(),
  stddev: z.number(),
  sum: z.number(),
  /** Quartiles (linear interpolation), in the `full` profile. */
  p25: z.number().optional(),
  p75: z.number().optional(),
})
export type NumericSummary = z.infer<typeof NumericSummary>

/** The profile of one column. */
export const ColumnProfile = z.object({
  name: z.string(),
  type: ColumnType,
  /** Values present. */
  count: z.number().int(),
  /** Values absent, empty, or written as NA, N/A, null, NaN or none. */
  missing: z.number().int(),
  distinct: z.number().int(),
  numeric: NumericSummary.optional(),
  /** Lengths of the values of a string column, in characters. */
  text: z
    .object({ minLength: z.number().int(), maxLength: z.number().int(), meanLength: z.number() })
    .optional(),
  /** Earliest and latest ISO 8601 dates of a date column. */
  dates: z.object({ min: z.string(), max: z.string() }).optional(),
  /** Most frequent values (count descending, then value), for columns that are not numeric. */
  top: z.array(z.object({ value: z.string(), count: z.number().int() })).optional(),
  /** How many values of each kind a `mixed` column holds. */
  kinds: z.record(z.string(), z.number().int()).optional(),
})
export type ColumnProfile = z.infer<typeof ColumnProfile>

/** Pearson correlation of two numeric columns over the rows where both are present. */
export const Correlation = z.object({
  a: z.string(),
  b: z.string(),
  pearson: z.number(),
  pairs: z.number().int(),
})
export type Correlation = z.infer<typeof Correlation>

/** A dataset's profile: `basic`, or `full` with quartiles and correlations. */
export const DatasetProfile = z.object({
  detail: z.enum(['basic', 'full']),
  rowCount: z.number().int(),
  columnCount: z.number().int(),
  columns: z.array(ColumnProfile),
  correlations: z.array(Correlation).optional(),
})
export type DatasetProfile = z.infer<typeof DatasetProfile>

export type ProfileDatasetOptions = {
  /** `full` adds quartiles and correlations between numeric columns (default `basic`). */
  detail?: 'basic' | 'full'
  /** How many top values to list per column (default 5). */
  top?: number
  /** Column order; by default the order in which keys first appear. */
  columns?: readonly string[]
}

type Cell =
  | { kind: 'number'; key: string; number: number }
  | { kind: 'boolean'; key: string }
  | { kind: 'date'; key: string; time: number }
  | { kind: 'string'; key: string }
  | { kind: 'object'; key: string }

const missingWords = new Set(['', 'na', 'n/a', 'null', 'nan', 'none'])
const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const datePattern = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/
/** Correlations are computed among at most this many numeric columns (the first ones). */
const maxCorrelated = 30

/**
 * Profiles rows of a dataset: per column its type, present and missing values, distinct
 * values, numeric statistics, text lengths, date range and most frequent values. Strings that
 * look like numbers, booleans or ISO dates count as those, so CSV and JSON rows profile alike.
 *
 * @throws DatasetError `DATASET_EMPTY`, `DATASET_TOO_WIDE`
 * @example
 * profileDataset([{ city: 'Jakarta', temp: 31 }, { city: 'Bandung', temp: '24' }])
 * // { rowCount: 2, columns: [{ name: 'city', type: 'string', … }, { name: 'temp', type: 'number', numeric: { mean: 27.5, … } }] }
 */
export function profileDataset(
  rows: readonly Record<string, unknown>[],
  options: ProfileDatasetOptions = {},
): DatasetProfile {
  if (rows.length === 0) throw new DatasetError('DATASET_EMPTY', 'The dataset has no rows.')
  const detail = options.detail ?? 'basic'
  const names = options.columns ? [...options.columns] : columnNames(rows)
  if (names.length > maxColumns)
    throw new DatasetError(
      'DATASET_TOO_WIDE',
      `The dataset has ${names.length} columns; at most ${maxColumns} are profiled.`,
    )
  const cells = names.map((name) => rows.map((row) => classify(row[name])))
  const columns = names.map((name, i) =>
    profileColumn(name, cells[i]!, { detail, top: options.top ?? 5 }),
  )
  return {
    detail,
    rowCount: rows.length,
    columnCount: names.length,
    columns,
    ...(detail === 'full' ? { correlations: correlations(names, columns, cells) } : {}),
  }
}

function columnNames(rows: readonly Record<string, unknown>[]): string[] {
  const names = new Set<string>()
  for (const row of rows) for (const key of Object.keys(row)) names.add(key)
  return [...names]
}

function classify(value: unknown): Cell | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'number')
    return Number.isFinite(value)
      ? { kind: 'number', key: String(value), number: value }
      : undefined
  if (typeof value === 'boolean') return { kind: 'boolean', key: String(value) }
  if (typeof value === 'bigint')
    return { kind: 'number', key: String(value), number: Number(value) }
  if (typeof value !== 'string') return { kind: 'object', key: JSON.stringify(value) }
  const text = value.trim()
  const lower = text.toLowerCase()
  if (missingWords.has(lower)) return undefined
  if (numberPattern.test(text)) {
    const number = Number(text)
    if (Number.isFinite(number)) return { kind: 'number', key: String(number), number }
  }
  if (lower === 'true' || lower === 'false') return { kind: 'boolean', key: lower }
  if (datePattern.test(text)) {
    const time = Date.parse(text.replace(' ', 'T'))
    if (!Number.isNaN(time)) return { kind: 'date', key: text, time }
  }
  return { kind: 'string', key: text }
}

function profileColumn(
  name: string,
  cells: readonly (Cell | undefined)[],
  options: { detail: 'basic' | 'full'; top: number },
): ColumnProfile {
  const present = cells.filter((cell): cell is Cell => cell !== undefined)
  const kinds = new Map<string, number>()
  const counts = new Map<string, number>()
  for (const cell of present) {
    kinds.set(cell.kind, (kinds.get(cell.kind) ?? 0) + 1)
    counts.set(cell.key, (counts.get(cell.key) ?? 0) + 1)
  }
  const type: ColumnType =
    present.length === 0
      ? 'empty'
      : kinds.size > 1
        ? 'mixed'
        : present[0]!.kind === 'object'
          ? 'mixed'
          : (present[0]!.kind as ColumnType)
  const profile: ColumnProfile = {
    name,
    type,
    count: present.length,
    missing: cells.length - present.length,
    distinct: counts.size,
  }
  if (type === 'number') {
    const numbers = present.map((cell) => (cell as { number: number }).number)
    profile.numeric = summarize(numbers, options.detail === 'full')
    return profile
  }
  if (type === 'string') {
    const lengths = present.map((cell) => [...cell.key].length)
    profile.text = {
      minLength: lengths.reduce((a, b) => Math.min(a, b)),
      maxLength: lengths.reduce((a, b) => Math.max(a, b)),
      meanLength: lengths.reduce((a, b) => a + b, 0) / lengths.length,
    }
  }
  if (type === 'date') {
    const sorted = present
      .map((cell) => cell as { key: string; time: number })
      .sort((a, b) => a.time - b.time)
    profile.dates = { min: sorted[0]!.key, max: sorted[sorted.length - 1]!.key }
  }
  if (type === 'mixed') profile.kinds = Object.fromEntries([...kinds].sort(byKey))
  if (type !== 'empty')
    profile.top = [...counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, options.top)
      .map(([value, count]) => ({ value, count }))
  return profile
}

function summarize(numbers: readonly number[], full: boolean): NumericSummary {
  const sorted = [...numbers].sort((a, b) => a - b)
  const n = sorted.length
  let sum = 0
  for (const x of sorted) sum += x
  const mean = sum / n
  let squares = 0
  for (const x of sorted) squares += (x - mean) ** 2
  return {
    min: sorted[0]!,
    max: sorted[n - 1]!,
    mean,
    median: quantile(sorted, 0.5),
    stddev: n > 1 ? Math.sqrt(squares / (n - 1)) : 0,
    sum,
    ...(full ? { p25: quantile(sorted, 0.25), p75: quantile(sorted, 0.75) } : {}),
  }
}

/** The p-quantile of sorted numbers, interpolating linearly between ranks. */
function quantile(sorted: readonly number[], p: number): number {
  const position = (sorted.length - 1) * p
  const lo = Math.floor(position)
  const hi = Math.ceil(position)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (position - lo)
}

function correlations(
  names: readonly string[],
  columns: readonly ColumnProfile[],
  cells: readonly (readonly (Cell | undefined)[])[],
): Correlation[] {
  const numeric = names
    .map((name, i) => ({ name, i }))
    .filter(({ i }) => columns[i]!.type === 'number')
    .slice(0, maxCorrelated)
  const result: Correlation[] = []
  for (let x = 0; x < numeric.length; x++)
    for (let y = x + 1; y < numeric.length; y++) {
      const a = numeric[x]!
      const b = numeric[y]!
      const pairs: [number, number][] = []
      cells[a.i]!.forEach((cell, row) => {
        const other = cells[b.i]![row]
        if (cell?.kind === 'number' && other?.kind === 'number')
          pairs.push([cell.number, other.number])
      })
      const pearson = pearsonOf(pairs)
      if (pearson !== undefined) result.push({ a: a.name, b: b.name, pearson, pairs: pairs.length })
    }
  return result
}

function pearsonOf(pairs: readonly [number, number][]): number | undefined {
  const n = pairs.length
  if (n < 3) return undefined
  let mx = 0
  let my = 0
  for (const [x, y] of pairs) {
    mx += x
    my += y
  }
  mx /= n
  my /= n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my)
    sxx += (x - mx) ** 2
    syy += (y - my) ** 2
  }
  if (sxx === 0 || syy === 0) return undefined
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)))
}

function byKey(a: [string, number], b: [string, number]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0
}
