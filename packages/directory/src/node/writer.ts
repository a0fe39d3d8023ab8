import type { toolDirectoryAbi } from '@gotong/contracts'
import type { ToolManifest } from '@gotong/core'
import type Database from 'better-sqlite3'
import type { ParseEventLogsReturnType } from 'viem'
import { type Hex, zeroHash } from 'viem'
import { type ManifestVerification, verifyManifest } from '../verifyManifest.js'
import { statementCache, writeMeta } from './store.js'

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

const decoder = new TextDecoder()
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

/**
 * Applies decoded logs to the store and keeps the search projection (status, manifest, text,
 * tags, prices) of every touched tool up to date. Callers wrap each call in one transaction.
 */
export function createWriter(db: Database.Database, options: { chainId: number }) {
  const sql = statementCache(db)
  /** Manifests parsed in this batch, so the projection does not parse them twice. */
  const parsed = new Map<string, ToolManifest>()
  /**
   * What this batch wrote, so the common case (a tool registered and given its manifest in
   * one batch) needs no reads back: tools, version hashes, manifest rows, new tool ids.
   */
  const batch = {
    tools: new Map<number, { creator: string; uri: string; version: number }>(),
    versions: new Map<string, string>(),
    manifests: new Map<string, ManifestRow[]>(),
    fresh: new Set<number>(),
  }

  function apply(logs: readonly DirectoryLog[], fetched: readonly FetchedManifest[]): number {
    const touched = new Set<number>()
    const pendingUri = new Map<number, string>()
    let skipped = 0
    for (const log of logs) {
      const block = Number(log.blockNumber)
      const logIndex = log.logIndex ?? 0
      switch (log.eventName) {
        case 'ToolRegistered': {
          const id = toRowId(log.args.toolId)
          if (id === undefined) break
          const predicate = nonZero(log.args.accessPredicate)
          sql(
            `INSERT OR REPLACE INTO tools (tool_id, creator, registered_block, predicate, uri, version, manifest_hash)
             VALUES (?, ?, ?, ?, ?, 1, ?)`,
          ).run(
            id,
            log.args.creator.toLowerCase(),
            block,
            predicate,
            log.args.metadataURI,
            log.args.manifestHash,
          )
          sql(
            `INSERT OR REPLACE INTO versions (tool_id, version, manifest_hash, previous_hash, uri, block_number, transaction_hash)
             VALUES (?, 1, ?, ?, ?, ?, ?)`,
          ).run(
            id,
            log.args.manifestHash,
            zeroHash,
            log.args.metadataURI,
            block,
            log.transactionHash,
          )
          sql(
            'INSERT OR REPLACE INTO access (tool_id, block_number, log_index, predicate) VALUES (?, ?, ?, ?)',
          ).run(id, block, logIndex, predicate)
          batch.tools.set(id, {
            creator: log.args.creator.toLowerCase(),
            uri: log.args.metadataURI,
            version: 1,
          })
          batch.versions.set(`${id}:1`, log.args.manifestHash)
          batch.fresh.add(id)
          touched.add(id)
          break
        }
        case 'ToolMetadataUpdated': {
          const id = toRowId(log.args.toolId)
          if (id !== undefined) pendingUri.set(id, log.args.newURI)
          break
        }
        case 'ToolVersioned': {
          const id = toRowId(log.args.toolId)
          const tool = id === undefined ? undefined : toolRow(id)
          if (id === undefined || !tool) {
            skipped++
            break
          }
          const version = Number(log.args.version)
          if (version === 1) break
          const uri = pendingUri.get(id) ?? tool.uri
          sql(
            `INSERT OR REPLACE INTO versions (tool_id, version, manifest_hash, previous_hash, uri, block_number, transaction_hash)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            id,
            version,
            log.args.manifestHash,
            log.args.previousManifestHash,
            uri,
            block,
            log.transactionHash,
          )
          sql('UPDATE tools SET version = ?, manifest_hash = ?, uri = ? WHERE tool_id = ?').run(
            version,
            log.args.manifestHash,
            uri,
            id,
          )
          batch.tools.set(id, { creator: tool.creator, uri, version })
          batch.versions.set(`${id}:${version}`, log.args.manifestHash)
          pendingUri.delete(id)
          touched.add(id)
          break
        }
        case 'ManifestPublished': {
          const id = toRowId(log.args.toolId)
          const tool = id === undefined ? undefined : toolRow(id)
          if (id === undefined || !tool) {
            skipped++
            break
          }
          const version = Number(log.args.version)
          const bytes = Buffer.from(log.args.manifest.slice(2), 'hex')
          const hash = versionHash(id, version) ?? log.args.manifestHash
          // The directory reverts unless keccak256(bytes) is the event's hash.
          const verification = check(bytes, hash, tool.creator, log.args.manifestHash)
          storeManifest(id, version, 'event', block, bytes, verification)
          touched.add(id)
          break
        }
        case 'AccessPredicateUpdated': {
          const id = toRowId(log.args.toolId)
          if (id === undefined || !toolRow(id)) {
            skipped++
            break
          }
          const predicate = nonZero(log.args.newPredicate)
          sql(
            'INSERT OR REPLACE INTO access (tool_id, block_number, log_index, predicate) VALUES (?, ?, ?, ?)',
          ).run(id, block, logIndex, predicate)
          sql('UPDATE tools SET predicate = ? WHERE tool_id = ?').run(predicate, id)
          touched.add(id)
          break
        }
        case 'ToolDeregistered': {
          const id = toRowId(log.args.toolId)
          if (id === undefined) break
          sql('UPDATE tools SET deregistered_block = ? WHERE tool_id = ?').run(block, id)
          touched.add(id)
          break
        }
        case 'AgentCardSet':
        case 'AgentCardCleared': {
          const set = log.eventName === 'AgentCardSet' ? log.args : undefined
          sql(
            `INSERT OR REPLACE INTO agents (agent, block_number, log_index, endpoint, name, card_hash)
             VALUES (?, ?, ?, ?, ?, ?)`,
          ).run(
            log.args.agent.toLowerCase(),
            block,
            logIndex,
            set?.endpoint ?? null,
            set?.name ?? null,
            set?.cardHash ?? null,
          )
          break
        }
      }
    }
    storeFetched(fetched, touched)
    for (const id of touched) refresh(id)
    parsed.clear()
    batch.tools.clear()
    batch.versions.clear()
    batch.manifests.clear()
    batch.fresh.clear()
    return skipped
  }

  function storeFetched(fetched: readonly FetchedManifest[], touched: Set<number>) {
    for (const item of fetched) {
      const tool = toolRow(item.toolId)
      const hash = versionHash(item.toolId, item.version)
      if (!tool || !hash) continue
      const verification: ManifestVerification =
        'bytes' in item.result
          ? check(item.result.bytes, hash, tool.creator)
          : {
              status: 'unverified',
              reason: item.result.oversized ? 'oversized' : 'fetch_failed',
              message: item.result.error,
            }
      const bytes = 'bytes' in item.result ? item.result.bytes : null
      storeManifest(
        item.toolId,
        item.version,
        'uri',
        item.blockNumber,
        bytes,
        verification,
        item.fetchedAt,
      )
      touched.add(item.toolId)
    }
  }

  /** Stores manifests fetched again for versions whose fetch had failed. */
  function applyRefetched(fetched: readonly FetchedManifest[]) {
    const touched = new Set<number>()
    storeFetched(fetched, touched)
    for (const id of touched) refresh(id)
    parsed.clear()
  }

  /** Current versions of live tools whose manifest fetch failed at or before `cutoff`. */
  function failedFetches(cutoff: number, limit: number) {
    return sql(
      `SELECT t.tool_id AS toolId, t.version AS version, t.uri AS uri, m.block_number AS blockNumber
       FROM tools t INDEXED BY tools_fetch_failed
       JOIN manifests m ON m.tool_id = t.tool_id AND m.version = t.version AND m.source = 'uri'
       WHERE t.reason = 'fetch_failed' AND t.deregistered_block IS NULL AND m.fetched_at <= ?
       ORDER BY m.fetched_at LIMIT ?`,
    ).all(cutoff, limit) as { toolId: number; version: number; uri: string; blockNumber: number }[]
  }

  function check(
    bytes: Uint8Array,
    manifestHash: string,
    creator: string,
    bytesHash?: Hex,
  ): ManifestVerification {
    return verifyManifest(bytes, {
      manifestHash: manifestHash as Hex,
      creator: creator as Hex,
      chainId: options.chainId,
      bytesHash,
    })
  }

  function storeManifest(
    id: number,
    version: number,
    source: 'event' | 'uri',
    block: number,
    bytes: Uint8Array | null,
    verification: ManifestVerification,
    fetchedAt: number | null = null,
  ) {
    const failed = verification.status === 'unverified' ? verification : undefined
    sql(
      `INSERT OR REPLACE INTO manifests (tool_id, version, source, block_number, status, reason, message, issues, bytes, fetched_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      version,
      source,
      block,
      verification.status,
      failed?.reason ?? null,
      failed?.message ?? null,
      failed?.issues ? JSON.stringify(failed.issues) : null,
      bytes,
      fetchedAt,
    )
    if (verification.manifest) parsed.set(`${id}:${version}:${source}`, verification.manifest)
    const key = `${id}:${version}`
    const rows = (batch.manifests.get(key) ?? []).filter((r) => r.source !== source)
    rows.push({
      source,
      status: verification.status,
      reason: failed?.reason ?? null,
      message: failed?.message ?? null,
      issues: failed?.issues ? JSON.stringify(failed.issues) : null,
      bytes,
    })
    batch.manifests.set(key, rows)
  }

  function toolRow(id: number): { creator: string; uri: string } | undefined {
    return (
      batch.tools.get(id) ??
      (sql('SELECT creator, uri FROM tools WHERE tool_id = ?').get(id) as
        | { creator: string; uri: string }
        | undefined)
    )
  }

  function versionHash(id: number, version: number): string | undefined {
    const known = batch.versions.get(`${id}:${version}`)
    if (known) return known
    const row = sql('SELECT manifest_hash FROM versions WHERE tool_id = ? AND version = ?').get(
      id,
      version,
    ) as { manifest_hash: string } | undefined
    return row?.manifest_hash
  }

  /** Recomputes a tool's search projection from its current version's manifest. */
  function refresh(id: number) {
    // A tool new in this batch has all its rows in memory and nothing to replace yet.
    const fresh = batch.fresh.has(id)
    const tool =
      batch.tools.get(id) ??
      (sql('SELECT version FROM tools WHERE tool_id = ?').get(id) as
        | { version: number }
        | undefined)
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

  /** Forgets everything after block `number` (a reorg) and rebuilds what it touched. */
  function rollback(number: number, hash: string | undefined) {
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
      refresh(id)
    }
    sql('DELETE FROM blocks WHERE number > ?').run(number)
    setCursor(number, hash)
  }

  function setCursor(number: number, hash: string | undefined) {
    writeMeta(db, 'cursor_block', String(number))
    writeMeta(db, 'cursor_hash', hash ?? '')
    if (hash) sql('INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)').run(number, hash)
  }

  function rememberBlocks(blocks: Iterable<[number, string]>, keepAfter: number) {
    for (const [number, hash] of blocks)
      sql('INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)').run(number, hash)
    sql('DELETE FROM blocks WHERE number < ?').run(keepAfter)
  }

  return { apply, applyRefetched, failedFetches, rollback, setCursor, rememberBlocks }
}

type ManifestRow = {
  source: 'event' | 'uri'
  status: 'verified' | 'unverified'
  reason: string | null
  message: string | null
  issues: string | null
  bytes: Uint8Array | null
}

/** Unverified for a reason found after the schema passed: the manifest itself is well formed. */
function hasSchema(reason: string | null): boolean {
  return reason === 'hash_mismatch' || reason === 'creator_mismatch'
}

function nonZero(address: string): string | null {
  return /^0x0{40}$/i.test(address) ? null : address.toLowerCase()
}
