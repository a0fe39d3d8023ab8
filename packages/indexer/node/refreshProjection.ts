import type { Context } from 'ponder:registry'
import type { ToolManifest } from '@gotong/core'
import { bm25Weights, priceKey } from '@gotong/directory/node'
import { directoryStat, ftsTerm, manifest, price, tag, tool } from '../ponder.schema.js'
import { cachedFtsDocument } from './cachedFtsDocument.js'

type Db = Context['db']
type ToolRecord = typeof tool.$inferSelect

/** Longest lexeme PostgreSQL keeps in a tsvector; longer terms can never match a query word. */
const maxTermBytes = 2046

/** Parsed manifests of this block, so a manifest just verified is not parsed again. */
export const parsedManifests = new Map<string, ToolManifest>()

/**
 * Recomputes a tool's search projection from its current version's manifests, as the SQLite
 * index does (`refreshProjection` there): status and reason, the manifest, the first price, and
 * tags, prices and search terms, with the statistics BM25 reads (listings per term, tokens).
 */
export async function refreshProjection(db: Db, toolId: number): Promise<void> {
  const row = await db.find(tool, { toolId })
  if (!row) return
  // The indexer keeps only manifests from `ManifestPublished` (it fetches no URIs), so the
  // SQLite index's choice between an event's and a URI's manifest is always the event's.
  const pick =
    (await db.find(manifest, { toolId, version: row.version, source: 'event' })) ?? undefined
  let parsed: ToolManifest | undefined
  let text: string | null = null
  if (pick?.bytes && (pick.status === 'verified' || hasSchema(pick.reason))) {
    text = Buffer.from(pick.bytes.slice(2), 'hex').toString('utf8')
    parsed =
      parsedManifests.get(`${toolId}:${row.version}:${pick.source}`) ??
      (JSON.parse(text) as ToolManifest)
  }
  const first = parsed?.pricing?.[0]
  const document = parsed
    ? cachedFtsDocument({
        name: parsed.name,
        description: parsed.description,
        tags: parsed.tags ?? [],
      })
    : undefined
  // FTS5 sums each occurrence's column weight; whole numbers, so the sum is exact either way.
  const counts: Record<string, number> = {}
  for (const [term, [name, description, tags]] of document?.terms ?? [])
    if (Buffer.byteLength(term) <= maxTermBytes)
      counts[term] =
        bm25Weights.name * name + bm25Weights.description * description + bm25Weights.tags * tags
  const terms = document ? Object.keys(counts) : null

  await replaceListing(db, row, parsed, terms, document?.length ?? null)
  await db.update(tool, { toolId }).set({
    status: pick?.status ?? 'unverified',
    reason: pick ? pick.reason : 'no_manifest',
    message: pick
      ? pick.message
      : JSON.stringify('no manifest bytes are known for this version yet'),
    issues: pick?.issues ?? null,
    manifest: text,
    price: priceKey(first?.amount ?? '0'),
    asset: first?.asset ?? null,
    terms,
    termCounts: document ? counts : null,
    termLength: document?.length ?? null,
  })
}

/** Swaps a tool's tags, prices and term statistics from its old manifest to its new one. */
async function replaceListing(
  db: Db,
  row: ToolRecord,
  next: ToolManifest | undefined,
  terms: string[] | null,
  length: number | null,
) {
  const { toolId } = row
  const previous = row.manifest ? (JSON.parse(row.manifest) as ToolManifest) : undefined
  for (const name of new Set(previous?.tags ?? [])) await db.delete(tag, { tag: name, toolId })
  for (const asset of new Set((previous?.pricing ?? []).map((p) => p.asset)))
    await db.delete(price, { toolId, asset })
  for (const name of new Set(next?.tags ?? []))
    await db.insert(tag).values({ tag: name, toolId }).onConflictDoNothing()
  for (const entry of next?.pricing ?? [])
    await db
      .insert(price)
      .values({ toolId, asset: entry.asset, amount: priceKey(entry.amount) })
      .onConflictDoNothing()

  for (const term of row.terms ?? [])
    await db.update(ftsTerm, { term }).set((t) => ({ docs: t.docs - 1 }))
  for (const term of terms ?? [])
    await db
      .insert(ftsTerm)
      .values({ term, docs: 1 })
      .onConflictDoUpdate((t) => ({ docs: t.docs + 1 }))
  const had = row.termLength !== null
  const has = length !== null
  if (had || has)
    await db.update(directoryStat, { id: 0 }).set((s) => ({
      rows: s.rows - (had ? 1 : 0) + (has ? 1 : 0),
      tokens: s.tokens - (row.termLength ?? 0) + (length ?? 0),
    }))
}

/** Unverified for a reason found after the schema passed: the manifest itself is well formed. */
function hasSchema(reason: string | null): boolean {
  return reason === 'hash_mismatch' || reason === 'creator_mismatch'
}
