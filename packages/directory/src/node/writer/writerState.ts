import type { toolDirectoryAbi } from '@gotong/contracts'
import type { ToolManifest } from '@gotong/core'
import type Database from 'better-sqlite3'
import type { ParseEventLogsReturnType } from 'viem'
import { statementCache } from '../store.js'

/** A directory log, decoded. */
export type DirectoryLog = ParseEventLogsReturnType<
  typeof toolDirectoryAbi,
  undefined,
  true
>[number]

/** Manifest bytes fetched from a version's metadata URI, or why they could not be. */
export type FetchedManifest = {
  toolId: number
  version: number
  blockNumber: number
  /** When it was fetched (ms since the epoch), so a failed fetch can be tried again later. */
  fetchedAt: number
  result: { bytes: Uint8Array } | { error: string; oversized?: boolean }
}

/** One stored manifest of a tool version, as the projection reads it. */
export type ManifestRow = {
  source: 'event' | 'uri'
  status: 'verified' | 'unverified'
  reason: string | null
  message: string | null
  issues: string | null
  bytes: Uint8Array | null
}

/** What the writer's steps share: the database, its statements and what this batch wrote. */
export type WriterState = {
  db: Database.Database
  sql: ReturnType<typeof statementCache>
  chainId: number
  /** Manifests parsed in this batch, so the projection does not parse them twice. */
  parsed: Map<string, ToolManifest>
  /**
   * What this batch wrote, so the common case (a tool registered and given its manifest in
   * one batch) needs no reads back: tools, version hashes, manifest rows, new tool ids.
   */
  batch: {
    tools: Map<number, { creator: string; uri: string; version: number }>
    versions: Map<string, string>
    manifests: Map<string, ManifestRow[]>
    fresh: Set<number>
  }
}

/** A writer's state over a database, with an empty batch. */
export function createWriterState(db: Database.Database, chainId: number): WriterState {
  return {
    db,
    sql: statementCache(db),
    chainId,
    parsed: new Map(),
    batch: { tools: new Map(), versions: new Map(), manifests: new Map(), fresh: new Set() },
  }
}

/** Forgets what the batch wrote, once it is applied. */
export function endBatch(state: WriterState): void {
  state.parsed.clear()
  state.batch.tools.clear()
  state.batch.versions.clear()
  state.batch.manifests.clear()
  state.batch.fresh.clear()
}

/**
 * Amounts sort as text, because uint256 does not fit SQLite integers: two digits of length,
 * then the digits (`20000` is `0520000`), so a shorter number always sorts first.
 */
export const priceKey = (amount: string | bigint) => {
  const digits = BigInt(amount).toString()
  return `${String(digits.length).padStart(2, '0')}${digits}`
}

/** SQLite integer for a uint256 id or version; ids beyond 2^53 are not ours (sequential from 1). */
export function toRowId(value: bigint): number | undefined {
  return value > 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined
}

/** A tool's creator and URI, from this batch or the store. */
export function toolRow(
  { batch, sql }: WriterState,
  id: number,
): { creator: string; uri: string } | undefined {
  return (
    batch.tools.get(id) ??
    (sql('SELECT creator, uri FROM tools WHERE tool_id = ?').get(id) as
      | { creator: string; uri: string }
      | undefined)
  )
}

/** The manifest hash a tool version was registered with, from this batch or the store. */
export function versionHash({ batch, sql }: WriterState, id: number, version: number) {
  const known = batch.versions.get(`${id}:${version}`)
  if (known) return known
  const row = sql('SELECT manifest_hash FROM versions WHERE tool_id = ? AND version = ?').get(
    id,
    version,
  ) as { manifest_hash: string } | undefined
  return row?.manifest_hash
}
