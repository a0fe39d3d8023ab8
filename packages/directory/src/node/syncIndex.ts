import type Database from 'better-sqlite3'
import { type Address, BlockNotFoundError, type Hex } from 'viem'
import { getBlock, getBlockNumber } from 'viem/actions'
import { ManifestFetchError } from '../errors.js'
import type { DirectoryReadClient } from '../internal/readClient.js'
import { decodeDirectoryLogs } from './decodeDirectoryLogs.js'
import type { FetchManifest } from './fetchManifest.js'
import { getLogsInRange, type RangeState } from './getLogsInRanges.js'
import type { statementCache } from './store.js'
import { type createWriter, type DirectoryLog, type FetchedManifest, toRowId } from './writer.js'

/** What one `sync()` did. */
export type SyncResult = {
  /** The first block read, or undefined when already at the head. */
  fromBlock: bigint | undefined
  /** The block the index is at now. */
  toBlock: bigint
  /** Directory logs applied. */
  logs: number
  /** Set when a reorg was found: the block the index rolled back to before reading on. */
  rolledBackTo: bigint | undefined
}

/** What the sync loop needs from the index around it. */
export type SyncContext = {
  client: DirectoryReadClient
  address: Address
  fromBlock: bigint
  reorgDepth: number
  range: RangeState
  db: Database.Database
  sql: ReturnType<typeof statementCache>
  cursor(): { blockNumber: bigint; blockHash: Hex | undefined }
  ready(): Promise<{
    writer: ReturnType<typeof createWriter>
    fetchManifest: FetchManifest | false
  }>
  /** Called after a rollback, so caches keyed by block are dropped. */
  onRollback(): void
  /** The clock (ms since the epoch). */
  now(): number
  /** How long a failed manifest fetch stands before a sync tries it again. */
  refetchAfterMs: number
}

/**
 * The index's sync loop: detect and roll back a reorg, then read ranges of logs up to the head
 * (the next range in flight while the current one is written) and apply each in one transaction
 * with the new cursor.
 */
export function createSync(context: SyncContext) {
  const { client, address, fromBlock, reorgDepth, range, db, sql, cursor } = context

  async function hashAt(blockNumber: bigint): Promise<Hex | undefined> {
    if (blockNumber < 0n) return undefined
    try {
      return (await getBlock(client, { blockNumber })).hash ?? undefined
    } catch (error) {
      // A block past the head: the chain was reset or reorganized to a shorter one. Any other
      // failure must not read as a reorg (that would roll the whole index back).
      if (error instanceof BlockNotFoundError) return undefined
      throw error
    }
  }

  /** Finds the newest remembered block still on the chain and rolls back to it. */
  async function detectReorg(w: ReturnType<typeof createWriter>): Promise<bigint | undefined> {
    const at = cursor()
    if (!at.blockHash || (await hashAt(at.blockNumber)) === at.blockHash) return undefined
    const known = sql('SELECT number, hash FROM blocks WHERE number < ? ORDER BY number').all(
      Number(at.blockNumber),
    ) as { number: number; hash: string }[]
    // Hashes chain: once a remembered block matches, every older one does too.
    let low = 0
    let high = known.length - 1
    let found: { number: number; hash: string } | undefined
    while (low <= high) {
      const middle = (low + high) >> 1
      const block = known[middle]!
      if ((await hashAt(BigInt(block.number))) === block.hash) {
        found = block
        low = middle + 1
      } else high = middle - 1
    }
    const target = found ? BigInt(found.number) : fromBlock - 1n
    db.transaction(() => w.rollback(Number(target), found?.hash))()
    context.onRollback()
    return target
  }

  async function syncNow(toBlock: bigint | undefined): Promise<SyncResult> {
    const { writer: w, fetchManifest } = await context.ready()
    const rolledBackTo = await detectReorg(w)
    const head = toBlock ?? (await getBlockNumber(client, { cacheTime: 0 }))
    const start = cursor().blockNumber + 1n
    const read = async (from: bigint) => {
      const { logs, toBlock: to } = await getLogsInRange(client, {
        address,
        fromBlock: from,
        toBlock: head,
        state: range,
      })
      return { logs, to, header: await getBlock(client, { blockNumber: to }) }
    }
    let applied = 0
    // The next range is read while this one is applied: the node and the database work at once.
    let next = start <= head ? read(start) : undefined
    try {
      while (next) {
        const { logs, to, header } = await next
        const from = cursor().blockNumber + 1n
        // A log of block `to` from another fork: the chain moved under the query; read again.
        if (logs.some((log) => log.blockNumber === to && log.blockHash !== header.hash)) {
          next = read(from)
          continue
        }
        next = to < head ? read(to + 1n) : undefined
        const decoded = decodeDirectoryLogs(logs)
        const fetched = fetchManifest ? await fetchUriManifests(fetchManifest, decoded) : []
        const blocks = new Map<number, string>()
        for (const log of logs)
          if (log.blockNumber !== null && log.blockHash)
            blocks.set(Number(log.blockNumber), log.blockHash)
        db.transaction(() => {
          w.apply(decoded, fetched)
          w.rememberBlocks(blocks, Number(to) - reorgDepth)
          w.setCursor(Number(to), header.hash ?? undefined)
        })()
        applied += logs.length
      }
    } finally {
      // A failed apply leaves a read in flight; its outcome no longer matters.
      next?.catch(() => undefined)
    }
    if (fetchManifest) await refetchFailed(w, fetchManifest)
    return {
      fromBlock: start <= head ? start : undefined,
      toBlock: cursor().blockNumber,
      logs: applied,
      rolledBackTo,
    }
  }

  /** Fetches the manifest of each tool's newest version in a batch that came without bytes. */
  async function fetchUriManifests(
    fetcher: FetchManifest,
    logs: readonly DirectoryLog[],
  ): Promise<FetchedManifest[]> {
    const wanted = new Map<number, { version: number; uri: string; blockNumber: number }>()
    const pendingUri = new Map<number, string>()
    for (const log of logs) {
      const block = Number(log.blockNumber)
      if (log.eventName === 'ToolRegistered') {
        const id = toRowId(log.args.toolId)
        if (id !== undefined)
          wanted.set(id, { version: 1, uri: log.args.metadataURI, blockNumber: block })
      } else if (log.eventName === 'ToolMetadataUpdated') {
        const id = toRowId(log.args.toolId)
        if (id !== undefined) pendingUri.set(id, log.args.newURI)
      } else if (log.eventName === 'ToolVersioned' && log.args.version > 1n) {
        const id = toRowId(log.args.toolId)
        const uri = id === undefined ? undefined : (pendingUri.get(id) ?? storedUri(id))
        if (id !== undefined && uri !== undefined)
          wanted.set(id, { version: Number(log.args.version), uri, blockNumber: block })
      } else if (log.eventName === 'ManifestPublished') {
        const id = toRowId(log.args.toolId)
        if (id !== undefined && wanted.get(id)?.version === Number(log.args.version))
          wanted.delete(id)
      }
    }
    return fetchAll(
      fetcher,
      [...wanted.entries()].map(([toolId, job]) => ({ toolId, ...job })),
    )
  }

  /** Fetches manifests eight at a time; a failure is a result, not an error. */
  async function fetchAll(
    fetcher: FetchManifest,
    jobs: { toolId: number; version: number; uri: string; blockNumber: number }[],
  ): Promise<FetchedManifest[]> {
    const results: FetchedManifest[] = []
    const queue = [...jobs]
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const { toolId, version, uri, blockNumber } = job
        try {
          const bytes = await fetcher(uri)
          results.push({
            toolId,
            version,
            blockNumber,
            fetchedAt: context.now(),
            result: { bytes },
          })
        } catch (error) {
          const oversized = error instanceof ManifestFetchError && error.oversized
          const message = error instanceof Error ? error.message.split('\n')[0]! : String(error)
          const result = { error: message, oversized }
          results.push({ toolId, version, blockNumber, fetchedAt: context.now(), result })
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker))
    return results
  }

  /** Tries again the manifests whose fetch failed longer than `refetchAfterMs` ago. */
  async function refetchFailed(
    w: ReturnType<typeof createWriter>,
    fetcher: FetchManifest,
  ): Promise<void> {
    const due = w.failedFetches(context.now() - context.refetchAfterMs, 64)
    if (!due.length) return
    const fetched = await fetchAll(fetcher, due)
    db.transaction(() => w.applyRefetched(fetched))()
  }

  function storedUri(id: number): string | undefined {
    return (sql('SELECT uri FROM tools WHERE tool_id = ?').get(id) as { uri: string } | undefined)
      ?.uri
  }

  return syncNow
}
