import type Database from 'better-sqlite3'
import { applyLogs } from './writer/applyLogs.js'
import { applyRefetched, failedFetches } from './writer/refetch.js'
import { rememberBlocks, rollbackIndex, setCursor } from './writer/rollbackIndex.js'
import { createWriterState, type DirectoryLog, type FetchedManifest } from './writer/writerState.js'

export {
  type DirectoryLog,
  type FetchedManifest,
  priceKey,
  toRowId,
} from './writer/writerState.js'

/**
 * Applies decoded logs to the store and keeps the search projection (status, manifest, text,
 * tags, prices) of every touched tool up to date. Callers wrap each call in one transaction.
 */
export function createWriter(db: Database.Database, options: { chainId: number }) {
  const state = createWriterState(db, options.chainId)
  return {
    apply: (logs: readonly DirectoryLog[], fetched: readonly FetchedManifest[]) =>
      applyLogs(state, logs, fetched),
    /** Stores manifests fetched again for versions whose fetch had failed. */
    applyRefetched: (fetched: readonly FetchedManifest[]) => applyRefetched(state, fetched),
    /** Current versions of live tools whose manifest fetch failed at or before `cutoff`. */
    failedFetches: (cutoff: number, limit: number) => failedFetches(state, cutoff, limit),
    /** Forgets everything after block `number` (a reorg) and rebuilds what it touched. */
    rollback: (number: number, hash: string | undefined) => rollbackIndex(state, number, hash),
    setCursor: (number: number, hash: string | undefined) => setCursor(state, number, hash),
    rememberBlocks: (blocks: Iterable<[number, string]>, keepAfter: number) =>
      rememberBlocks(state, blocks, keepAfter),
  }
}
