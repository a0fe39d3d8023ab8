import type { ToolManifest } from '@gotong/core'
import { type ManifestRow, priceKey, type WriterState } from './writerState.js'

const decoder = new TextDecoder()

/** Recomputes a tool's search projection from its current version's manifest. */
export function refreshProjection(state: WriterState, id: number) {
  const { sql, batch, parsed } = state
  // A tool new in this batch has all its rows in memory and nothing to replace yet.
  const fresh = batch.fresh.has(id)
  const tool =
    batch.tools.get(id) ??
    (sql('SELECT version FROM tools WHERE tool_id = ?').get(id) as { version: number } | undefined)
  if (!tool) return
  const rows = fresh
    ? (batch.manifests.get(`${id}:${tool.version}`) ?? [])
    : (sql(
        'SELECT source, status, reason, message, issues, bytes FROM manifests WHERE tool_id = ? AND version = ?',
      ).all(id, tool.version) as ManifestRow[])
  const pick =
    rows.find((r) => r.status === 'verified' && r.source === 'event') ??
    rows.find((r) => r.status === 'verified') ??
    rows.find((r) => r.source === 'event') ??
    rows[0]
  let manifest: ToolManifest | undefined
  if (pick?.bytes && (pick.status === 'verified' || hasSchema(pick.reason))) {
    manifest =
      parsed.get(`${id}:${tool.version}:${pick.source}`) ??
      (JSON.parse(decoder.decode(pick.bytes)) as ToolManifest)
  }
  const first = manifest?.pricing?.[0]
  sql(
    `UPDATE tools SET status = ?, reason = ?, message = ?, issues = ?, manifest = ?, name = ?, price = ?, asset = ?
     WHERE tool_id = ?`,
  ).run(
    pick?.status ?? 'unverified',
    pick ? pick.reason : 'no_manifest',
    pick ? pick.message : 'no manifest bytes are known for this version yet',
    pick?.issues ?? null,
    manifest && pick?.bytes ? decoder.decode(pick.bytes) : null,
    manifest?.name ?? null,
    priceKey(first?.amount ?? '0'),
    first?.asset ?? null,
    id,
  )
  if (!fresh) {
    sql('DELETE FROM tags WHERE tool_id = ?').run(id)
    sql('DELETE FROM prices WHERE tool_id = ?').run(id)
    sql('DELETE FROM tools_fts WHERE rowid = ?').run(id)
  }
  if (!manifest) return
  for (const tag of manifest.tags ?? [])
    sql('INSERT OR IGNORE INTO tags (tag, tool_id) VALUES (?, ?)').run(tag, id)
  for (const entry of manifest.pricing ?? [])
    sql('INSERT OR IGNORE INTO prices (tool_id, asset, amount) VALUES (?, ?, ?)').run(
      id,
      entry.asset,
      priceKey(entry.amount),
    )
  sql('INSERT INTO tools_fts (rowid, name, description, tags) VALUES (?, ?, ?, ?)').run(
    id,
    manifest.name,
    manifest.description,
    (manifest.tags ?? []).join(' '),
  )
}

/** Unverified for a reason found after the schema passed: the manifest itself is well formed. */
function hasSchema(reason: string | null): boolean {
  return reason === 'hash_mismatch' || reason === 'creator_mismatch'
}
