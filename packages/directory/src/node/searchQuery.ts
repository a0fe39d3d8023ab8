import { AddressSchema, parseCaip19, Uint256 } from '@gotong/core'
import { z } from 'zod'
import type { ToolRow } from './listing.js'
import type { statementCache } from './store.js'
import { padAmount } from './writer.js'

export const SearchParameters = z.strictObject({
  /** Words to look for in names, descriptions and tags (all must match; the last as a prefix). */
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
type Parsed = z.output<typeof SearchParameters>

export type RankedRow = ToolRow & { score: number | null }

/** FTS5 query: every word must match (porter-stemmed), the last one also as a prefix. */
export function toMatchExpression(text: string | undefined): string | undefined {
  const words = (text ?? '')
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu)
    ?.slice(0, 16)
  if (!words?.length) return undefined
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? '*' : ''}`).join(' ')
}

const visible = (p: Parsed) =>
  [
    p.includeUnverified ? undefined : "t.status = 'verified'",
    p.includeDeregistered ? undefined : 't.deregistered_block IS NULL',
  ].filter(Boolean) as string[]

/**
 * Ranked rows: text relevance (BM25 over name ×10, tags ×5, description ×1, rounded so that
 * near-equal matches fall through to price), then price, then the oldest tool.
 */
export function queryRows(
  sql: ReturnType<typeof statementCache>,
  p: Parsed,
  page: { offset: number; count: number },
): RankedRow[] {
  const match = toMatchExpression(p.text)
  const where = visible(p)
  const values: Record<string, unknown> = { offset: page.offset, count: page.count }
  let from = 'tools t'
  let price = 't.price'
  if (match) {
    from = 'tools_fts f JOIN tools t ON t.tool_id = f.rowid'
    where.push('tools_fts MATCH @match')
    values.match = match
  }
  if (p.asset) {
    from += ' JOIN prices p ON p.tool_id = t.tool_id AND p.asset = @asset'
    price = 'p.amount'
    values.asset = p.asset
  }
  if (p.maxPrice !== undefined) {
    where.push(`${price} <= @maxPrice`)
    values.maxPrice = padAmount(p.maxPrice)
  }
  if (p.creator) {
    where.push('t.creator = @creator')
    values.creator = p.creator.toLowerCase()
  }
  for (const [i, tag] of (p.tags ?? []).entries()) {
    where.push(`t.tool_id IN (SELECT tool_id FROM tags WHERE tag = @tag${i})`)
    values[`tag${i}`] = tag
  }
  const score = match ? 'round(bm25(tools_fts, 10.0, 1.0, 5.0), 1)' : 'NULL'
  const text = `SELECT t.*, ${score} AS score FROM ${from}
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${match ? 'score, ' : ''}${price}, t.tool_id LIMIT @count OFFSET @offset`
  return sql(text).all(values) as RankedRow[]
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
