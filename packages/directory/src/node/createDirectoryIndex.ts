import { AddressSchema, parseWith } from '@gotong/core'
import type Database from 'better-sqlite3'
import { getAddress, type Hex } from 'viem'
import { getChainId, watchBlockNumber } from 'viem/actions'
import { z } from 'zod'
import type { DirectoryReadClient } from '../internal/readClient.js'
import { createManifestFetcher, type FetchManifest } from './fetchManifest.js'
import { type RangeState, rangeState } from './getLogsInRanges.js'
import type { Listing } from './listing.js'
import { createSearch, type SearchResult, type VersionRecord } from './searchIndex.js'
import type { SearchParameters } from './searchQuery.js'
import { sqliteSource } from './sqliteSource.js'
import { claimStore, openStore, statementCache } from './store.js'
import { createSync, type SyncResult } from './syncIndex.js'
import { createWriter } from './writer.js'

const blockNumberInput = z
  .union([z.bigint(), z.number().int()])
  .transform((value) => BigInt(value))
  .pipe(z.bigint().nonnegative())

/** What `createDirectoryIndex()` accepts. */
export const CreateDirectoryIndexParameters = z.strictObject({
  /** Reads the chain: any viem client (public or wallet) with a transport. */
  client: z.custom<DirectoryReadClient>(
    (value) => typeof (value as { request?: unknown } | null)?.request === 'function',
    'a viem client',
  ),
  /** The ToolDirectory. */
  address: AddressSchema,
  /** The directory's deployment block (`deployments.startBlock`): nothing before it is read. */
  fromBlock: blockNumberInput,
  /** SQLite file of the index (created if missing), or `:memory:`. */
  store: z.string().min(1),
  /** The chain id, if the client has no chain (otherwise asked of the node). */
  chainId: z.number().int().positive().optional(),
  /**
   * Widest `eth_getLogs` span in blocks (10,000 by default). The span starts at 256 blocks,
   * adapts to about 10,000 logs per answer, and is halved when a provider refuses.
   */
  blockRange: blockNumberInput.optional(),
  /** Recent block hashes kept to detect and roll back reorgs (64 by default). */
  reorgDepth: z.number().int().min(1).max(100_000).optional(),
  /**
   * Fetches manifests of versions registered without bytes in a log (plain ERC-8257
   * `registerTool`); false leaves them unverified (`no_manifest`).
   */
  fetchManifest: z
    .union([z.literal(false), z.custom<FetchManifest>((v) => typeof v === 'function')])
    .optional(),
  /** A failed manifest fetch is tried again by the first sync this long after (10 minutes). */
  refetchAfterMs: z.number().int().nonnegative().optional(),
  /** The clock, in ms since the epoch (`Date.now` by default). */
  now: z.custom<() => number>((v) => typeof v === 'function').optional(),
})
export type CreateDirectoryIndexParameters = z.input<typeof CreateDirectoryIndexParameters>

export type WatchOptions = {
  /** Milliseconds between polls for new blocks (the client's by default). */
  pollingInterval?: number
  /** Called after each sync that followed a new block. */
  onSync?: (result: SyncResult) => void
  /** Called when a sync fails; watching goes on with the next block. */
  onError?: (error: unknown) => void
}

export type DirectoryIndex = {
  /** Where the index lives. */
  readonly store: string
  /** Reads new blocks up to the head (or `toBlock`), rolling back first if the chain reorganized. */
  sync(options?: { toBlock?: bigint }): Promise<SyncResult>
  /** Ranked search; see `SearchParameters`. */
  search(parameters?: SearchParameters): Promise<SearchResult[]>
  /** One tool with its version lineage, or undefined if the index has never seen it. */
  getListing(
    toolId: bigint | number | string,
  ): Promise<(Listing & { versions: VersionRecord[] }) | undefined>
  /** Follows new blocks, syncing after each; returns a function that stops watching. */
  watch(options?: WatchOptions): () => void
  /** The last block indexed (`fromBlock - 1` before the first sync). */
  cursor(): { blockNumber: bigint; blockHash: Hex | undefined }
  /** Stops watching and closes the database. */
  close(): void
}

/**
 * Creates a durable, incremental index of a ToolDirectory's events in SQLite, with ranked
 * search. It resumes from its persisted cursor, pages `eth_getLogs` (halving the span when a
 * provider refuses), rolls back reorgs (it keeps recent block hashes), and verifies every
 * manifest (size, JSON, ERC-8257 schema, hash, creator) without ever failing on a bad one.
 *
 * @example
 * const index = createDirectoryIndex({ client, address: directory, fromBlock: 0n, store: 'dir.db' })
 * await index.sync()
 * const [hit] = await index.search({ text: 'weather', maxPrice: 5_000n, asset })
 */
export function createDirectoryIndex(parameters: CreateDirectoryIndexParameters): DirectoryIndex {
  const options = parseWith(
    CreateDirectoryIndexParameters,
    parameters,
    'directory index parameters',
  )
  const { client, fromBlock } = options
  const address = getAddress(options.address)
  const reorgDepth = options.reorgDepth ?? 64
  const range: RangeState = rangeState(options.blockRange ?? 10_000n)
  const db: Database.Database = openStore(options.store)
  const sql = statementCache(db)
  const unwatchers = new Set<() => void>()
  let chainId: number | undefined
  let writer: ReturnType<typeof createWriter> | undefined
  let fetchManifest: FetchManifest | false = false
  let queue: Promise<unknown> = Promise.resolve()

  async function ready() {
    if (writer && chainId !== undefined) return { writer, chainId, fetchManifest }
    chainId = options.chainId ?? client.chain?.id ?? (await getChainId(client))
    claimStore(db, options.store, { chainId, address, fromBlock })
    writer = createWriter(db, { chainId })
    fetchManifest =
      options.fetchManifest === false
        ? false
        : (options.fetchManifest ?? createManifestFetcher({ chainId }))
    return { writer, chainId, fetchManifest }
  }

  function cursor(): { blockNumber: bigint; blockHash: Hex | undefined } {
    const rows = sql(
      "SELECT key, value FROM meta WHERE key IN ('cursor_block', 'cursor_hash')",
    ).all() as { key: string; value: string }[]
    const block = rows.find((r) => r.key === 'cursor_block')?.value
    const hash = rows.find((r) => r.key === 'cursor_hash')?.value
    return {
      blockNumber: block === undefined ? fromBlock - 1n : BigInt(block),
      blockHash: hash ? (hash as Hex) : undefined,
    }
  }

  const searcher = createSearch({ client, address, ready })
  const source = sqliteSource(sql)
  const syncNow = createSync({
    client,
    address,
    fromBlock,
    reorgDepth,
    range,
    db,
    sql,
    cursor,
    ready,
    onRollback: () => searcher.forget(),
    now: options.now ?? Date.now,
    refetchAfterMs: options.refetchAfterMs ?? 600_000,
  })

  /** Runs index work one call at a time (a sync and a watch tick never interleave). */
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work, work)
    queue = next.catch(() => undefined)
    return next
  }

  function watch(watchOptions: WatchOptions = {}): () => void {
    let stopped = false
    let running = false
    let again = false
    const run = async () => {
      if (running) {
        again = true
        return
      }
      running = true
      try {
        do {
          again = false
          const result = await serial(() => syncNow(undefined))
          if (!stopped) watchOptions.onSync?.(result)
        } while (again && !stopped)
      } catch (error) {
        watchOptions.onError?.(error)
      } finally {
        running = false
      }
    }
    const unwatch = watchBlockNumber(client, {
      emitOnBegin: true,
      poll: true,
      ...(watchOptions.pollingInterval === undefined
        ? {}
        : { pollingInterval: watchOptions.pollingInterval }),
      onBlockNumber: () => void run(),
      onError: (error) => watchOptions.onError?.(error),
    })
    const stop = () => {
      stopped = true
      unwatch()
      unwatchers.delete(stop)
    }
    unwatchers.add(stop)
    return stop
  }

  return {
    store: options.store,
    sync: (syncOptions = {}) => serial(() => syncNow(syncOptions.toBlock)),
    search: (searchParameters) =>
      searcher.search(source, () => cursor().blockNumber, searchParameters),
    getListing: (toolId) => searcher.getListing(source, toolId),
    watch,
    cursor,
    close() {
      for (const stop of [...unwatchers]) stop()
      db.close()
    },
  }
}
