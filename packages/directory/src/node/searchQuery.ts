import { AddressSchema, parseCaip19, Uint256 } from '@gotong/core'
import { z } from 'zod'
import type { ToolRow } from './listing.js'
import type { statementCache } from './store.js'
import { priceKey } from './writer.js'

/** What `index.search()` accepts; every field optional. */
export const SearchParameters = z.strictObject({
  /** Words to look for in names, descriptions and tags (all must match, stemmed). */
  text: z.string().max(512).optional(),
  /** Only tools carrying every one of these tags. */
  tags: z
    .array(z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'a manifest tag'))
    .max(16)
    .optional(),
  /** Highest price per call in base units (of `asset` when given, else of the first pricing entry). */
  maxPrice: Uint256.optional(),
  /** Only tools priced in this CAIP-19 asset (`eip155:31337/erc20:0x…`). */
  asset: z
    .string()
    .refine((value) => {
      try {
        parseCaip19(value)
        return true
      } catch {
        return false
      }
    }, 'a CAIP-19 asset id with a lowercase address')
    .optional(),
  /** Only tools registered by this account. */
  creator: AddressSchema.optional(),
  /** Only tools this account may use, asked of each predicate on chain (cached per block). */
  accessibleTo: AddressSchema.optional(),
  /** Also return tools whose manifest failed verification (marked with the reason). */
  includeUnverified: z.boolean().optional(),
  /** Also return deregistered tools. */
  includeDeregistered: z.boolean().optional(),
  /** Also ask each gated result's predicate for its requirements (default true). */
  requirements: z.boolean().optional(),
  /** Results (groups of offers) to return, 1 to 100; 20 by default. */
  limit: z.number().int().min(1).max(100).optional(),
})
export type SearchParameters = z.input<typeof SearchParameters>
/** Search parameters once parsed (amounts as bigint). */
export type ParsedSearchParameters = z.output<typeof SearchParameters>
type Parsed = ParsedSearchParameters

/** A ranked hit: just enough to group it; `queryOffers` reads the full rows. */
export type RankedRow = { tool_id: number; manifest_hash: string; score: number | null }

/**
 * The FTS5 query for search text: every word must match, after Porter stemming ("forecasts"
 * finds "forecast"); punctuation is dropped, so user text can never be FTS5 syntax.
 *
 * @example toMatchExpression('Weather, forecasts!') // '"weather" "forecasts"'
 */
export function toMatchExpression(text: string | undefined): string | undefined {
  const words = matchWords(text)
  if (!words.length) return undefined
  return words.map((word) => `"${word}"`).join(' ')
}

/** The words of search text, each one phrase of the FTS5 query (at most 16). */
export function matchWords(text: string | undefined): string[] {
  return (
    (text ?? '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu)
      ?.slice(0, 16) ?? []
  )
}

/** BM25 weights of the indexed columns: a word in the name counts ten times one in the description. */
export const bm25Weights = { name: 10, description: 1, tags: 5 } as const

// `+t.status`: the status is a filter, never the index to search by (price and hash are).
const visible = (p: Parsed) =>
  [
    p.includeUnverified ? undefined : "+t.status = 'verified'",
    p.includeDeregistered ? undefined : 't.deregistered_block IS NULL',
  ].filter(Boolean) as string[]

const bm25 = `bm25(tools_fts, ${bm25Weights.name}.0, ${bm25Weights.description}.0, ${bm25Weights.tags}.0)`

/**
 * Ranked rows: text relevance (BM25 over name ×10, tags ×5, description ×1), then price (so
 * equally relevant offers, such as one manifest listed twice, come cheapest first), then the
 * oldest tool. Without text: cheapest first.
 *
 * A text search ranks the best matches by relevance first and applies the filters to that
 * window (8 times what is asked, at least 256), reading the whole match set only when the
 * window leaves too few: a common word matching a tenth of the directory stays cheap.
 */
export function queryRows(
  sql: ReturnType<typeof statementCache>,
  p: Parsed,
  page: { offset: number; count: number },
): RankedRow[] {
  const match = toMatchExpression(p.text)
  const where = visible(p)
  const values: Record<string, unknown> = { offset: page.offset, count: page.count }
  let join = ''
  let price = 't.price'
  if (p.asset) {
    join = ' JOIN prices p ON p.tool_id = t.tool_id AND p.asset = @asset'
    price = 'p.amount'
    values.asset = p.asset
  }
  if (p.maxPrice !== undefined) {
    where.push(`${price} <= @maxPrice`)
    values.maxPrice = priceKey(p.maxPrice)
  }
  if (p.creator) {
    where.push('t.creator = @creator')
    values.creator = p.creator.toLowerCase()
  }
  const tags = p.tags ?? []
  tags.forEach((tag, i) => {
    values[`tag${i}`] = tag
  })
  const hasTag = (i: number) =>
    `EXISTS (SELECT 1 FROM tags g WHERE g.tag = @tag${i} AND g.tool_id = t.tool_id)`
  const whereText = (extra: string[]) => {
    const all = [...where, ...extra]
    return all.length ? `WHERE ${all.join(' AND ')}` : ''
  }

  if (match) {
    values.match = match
    const filters = whereText(tags.map((_, i) => hasTag(i)))
    const ranked = (window: boolean) =>
      sql(
        `SELECT t.tool_id, t.manifest_hash, m.score FROM
           (SELECT rowid AS id, ${bm25} AS score FROM tools_fts WHERE tools_fts MATCH @match
            ${window ? 'ORDER BY score LIMIT @window' : ''}) m
           CROSS JOIN tools t ON t.tool_id = m.id${join}
         ${filters} ORDER BY m.score, ${price}, t.tool_id LIMIT @count OFFSET @offset`,
      ).all(values) as RankedRow[]
    values.window = Math.max(256, (page.offset + page.count) * 8)
    const matches = sql('SELECT count(*) AS n FROM tools_fts WHERE tools_fts MATCH @match').get(
      values,
    ) as { n: number }
    if (matches.n <= (values.window as number)) return ranked(false)
    const rows = ranked(true)
    return rows.length === page.count ? rows : ranked(false)
  }

  // A common tag: walk the tools cheapest first and stop at the page. A rare one: start
  // from its tools and sort those.
  const first = tags[0]
  const common =
    first !== undefined &&
    !p.asset &&
    (sql('SELECT count(*) AS n FROM tags WHERE tag = ?').get(first) as { n: number }).n * 40 >
      (sql('SELECT max(tool_id) AS n FROM tools').get() as { n: number | null }).n!
  const tagFilters = tags.map((_, i) =>
    i === 0 && !common ? 't.tool_id IN (SELECT tool_id FROM tags WHERE tag = @tag0)' : hasTag(i),
  )
  return sql(
    `SELECT t.tool_id, t.manifest_hash, NULL AS score FROM tools t${common ? ' INDEXED BY tools_price' : ''}${join}
     ${whereText(tagFilters)} ORDER BY ${price}, t.tool_id LIMIT @count OFFSET @offset`,
  ).all(values) as RankedRow[]
}

/** Every visible listing with one of these manifest hashes: the competing offers of a tool. */
export function queryOffers(
  sql: ReturnType<typeof statementCache>,
  p: Parsed,
  hashes: readonly string[],
): ToolRow[] {
  if (!hashes.length) return []
  const where = [...visible(p), `t.manifest_hash IN (${hashes.map(() => '?').join(', ')})`]
  const values: string[] = [...hashes]
  if (p.creator) {
    where.push('t.creator = ?')
    values.push(p.creator.toLowerCase())
  }
  return sql(
    `SELECT t.* FROM tools t WHERE ${where.join(' AND ')}
     ORDER BY t.status = 'verified' DESC, t.price, t.tool_id`,
  ).all(...values) as ToolRow[]
}
