import { contentHash } from '@gotong/core'
import { z } from 'zod'
import { DedupeError } from './errors.js'

const Hash = z.string().regex(/^0x[0-9a-f]{64}$/)

/** A record kept: its content id, where it first appeared, and the record itself. */
export const UniqueRecord = z.object({
  /** keccak256 of the record's RFC 8785 canonical JSON: equal records, equal ids. */
  id: Hash,
  index: z.number().int(),
  record: z.unknown(),
})
export type UniqueRecord = z.infer<typeof UniqueRecord>

/** Records that compare equal: their comparison key, ids and positions (first one kept). */
export const DuplicateGroup = z.object({
  key: Hash,
  count: z.number().int(),
  indices: z.array(z.number().int()),
  ids: z.array(Hash),
})
export type DuplicateGroup = z.infer<typeof DuplicateGroup>

/** The result of duplicate detection. */
export const DedupeResult = z.object({
  total: z.number().int(),
  unique: z.number().int(),
  /** Records dropped as duplicates of an earlier one. */
  duplicates: z.number().int(),
  /** The unique records, in order of first appearance. */
  records: z.array(UniqueRecord),
  /** Groups of two or more equal records, in order of first appearance. */
  groups: z.array(DuplicateGroup),
})
export type DedupeResult = z.infer<typeof DedupeResult>

export type DedupeOptions = {
  /** Compare only these fields (absent fields count as null); by default whole records. */
  fields?: readonly string[]
  /** Compare strings ignoring case. */
  ignoreCase?: boolean
  /** Compare strings ignoring leading and trailing white space. */
  trim?: boolean
}

/**
 * Finds duplicate records by content hash. Each record's id is `keccak256` of its RFC 8785
 * canonical JSON, so key order and number spelling never matter and the id is the same on every
 * machine. Records are grouped by the hash of what is compared (`fields`, `ignoreCase`, `trim`);
 * the first of each group is kept.
 *
 * @throws DedupeError `FIELDS_NEED_OBJECTS`; InvalidInputError for values that are not JSON
 * @example
 * const { unique, groups } = dedupeRecords([{ a: 1, b: 2 }, { b: 2, a: 1 }, { a: 3 }])
 * // unique === 2, groups[0].indices === [0, 1]
 */
export function dedupeRecords(
  records: readonly unknown[],
  options: DedupeOptions = {},
): DedupeResult {
  const normalizing = options.ignoreCase || options.trim
  const kept: UniqueRecord[] = []
  const groups = new Map<string, DuplicateGroup>()
  records.forEach((record, index) => {
    const id = contentHash(record)
    let compared = options.fields ? project(record, options.fields, index) : record
    if (normalizing) compared = normalize(compared, options)
    const key = options.fields || normalizing ? contentHash(compared) : id
    const group = groups.get(key)
    if (group) {
      group.count++
      group.indices.push(index)
      group.ids.push(id)
      return
    }
    groups.set(key, { key, count: 1, indices: [index], ids: [id] })
    kept.push({ id, index, record })
  })
  return {
    total: records.length,
    unique: kept.length,
    duplicates: records.length - kept.length,
    records: kept,
    groups: [...groups.values()].filter((group) => group.count > 1),
  }
}

function project(record: unknown, fields: readonly string[], index: number) {
  if (record === null || typeof record !== 'object' || Array.isArray(record))
    throw new DedupeError(
      'FIELDS_NEED_OBJECTS',
      `Record ${index} is not an object, so its fields cannot be compared.`,
    )
  const source = record as Record<string, unknown>
  return Object.fromEntries(
    fields.map((field) => [field, Object.hasOwn(source, field) ? source[field] : null]),
  )
}

function normalize(value: unknown, options: DedupeOptions): unknown {
  if (typeof value === 'string') {
    const trimmed = options.trim ? value.trim() : value
    return options.ignoreCase ? trimmed.toLowerCase() : trimmed
  }
  if (Array.isArray(value)) return value.map((item) => normalize(item, options))
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, normalize(item, options)]),
    )
  return value
}
