import { writeMeta } from '../store.js'
import { refreshProjection } from './refreshProjection.js'
import type { WriterState } from './writerState.js'

/** Forgets everything after block `number` (a reorg) and rebuilds what it touched. */
export function rollbackIndex(state: WriterState, number: number, hash: string | undefined) {
  const { sql } = state
  const removed = (
    sql('SELECT tool_id FROM tools WHERE registered_block > ?').all(number) as {
      tool_id: number
    }[]
  ).map((r) => r.tool_id)
  const affected = new Set(
    (
      sql(
        `SELECT tool_id FROM versions WHERE block_number > @n
         UNION SELECT tool_id FROM manifests WHERE block_number > @n
         UNION SELECT tool_id FROM access WHERE block_number > @n
         UNION SELECT tool_id FROM tools WHERE deregistered_block > @n`,
      ).all({ n: number }) as { tool_id: number }[]
    ).map((r) => r.tool_id),
  )
  for (const id of removed) {
    affected.delete(id)
    for (const table of ['tools', 'versions', 'manifests', 'access', 'tags', 'prices'])
      sql(`DELETE FROM ${table} WHERE tool_id = ?`).run(id)
    sql('DELETE FROM tools_fts WHERE rowid = ?').run(id)
  }
  for (const table of ['versions', 'manifests', 'access', 'agents'])
    sql(`DELETE FROM ${table} WHERE block_number > ?`).run(number)
  sql('UPDATE tools SET deregistered_block = NULL WHERE deregistered_block > ?').run(number)
  for (const id of affected) {
    const latest = sql(
      'SELECT version, manifest_hash, uri FROM versions WHERE tool_id = ? ORDER BY version DESC LIMIT 1',
    ).get(id) as { version: number; manifest_hash: string; uri: string }
    const access = sql(
      'SELECT predicate FROM access WHERE tool_id = ? ORDER BY block_number DESC, log_index DESC LIMIT 1',
    ).get(id) as { predicate: string | null }
    sql(
      'UPDATE tools SET version = ?, manifest_hash = ?, uri = ?, predicate = ? WHERE tool_id = ?',
    ).run(latest.version, latest.manifest_hash, latest.uri, access.predicate, id)
    refreshProjection(state, id)
  }
  sql('DELETE FROM blocks WHERE number > ?').run(number)
  setCursor(state, number, hash)
}

/** Records the block the index has reached (and its hash, to notice a reorg). */
export function setCursor(state: WriterState, number: number, hash: string | undefined) {
  const { sql, db } = state
  writeMeta(db, 'cursor_block', String(number))
  writeMeta(db, 'cursor_hash', hash ?? '')
  if (hash) sql('INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)').run(number, hash)
}

/** Keeps recent block hashes for reorg checks, forgetting those before `keepAfter`. */
export function rememberBlocks(
  state: WriterState,
  blocks: Iterable<[number, string]>,
  keepAfter: number,
) {
  const { sql } = state
  for (const [number, hash] of blocks)
    sql('INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)').run(number, hash)
  sql('DELETE FROM blocks WHERE number < ?').run(keepAfter)
}
