import { refreshProjection } from './refreshProjection.js'
import { storeFetched } from './storeManifest.js'
import type { FetchedManifest, WriterState } from './writerState.js'

/** Stores manifests fetched again for versions whose fetch had failed. */
export function applyRefetched(state: WriterState, fetched: readonly FetchedManifest[]) {
  const { parsed } = state
  const touched = new Set<number>()
  storeFetched(state, fetched, touched)
  for (const id of touched) refreshProjection(state, id)
  parsed.clear()
}

/** Current versions of live tools whose manifest fetch failed at or before `cutoff`. */
export function failedFetches(state: WriterState, cutoff: number, limit: number) {
  const { sql } = state
  return sql(
    `SELECT t.tool_id AS toolId, t.version AS version, t.uri AS uri, m.block_number AS blockNumber
     FROM tools t INDEXED BY tools_fetch_failed
     JOIN manifests m ON m.tool_id = t.tool_id AND m.version = t.version AND m.source = 'uri'
     WHERE t.reason = 'fetch_failed' AND t.deregistered_block IS NULL AND m.fetched_at <= ?
     ORDER BY m.fetched_at LIMIT ?`,
  ).all(cutoff, limit) as { toolId: number; version: number; uri: string; blockNumber: number }[]
}
