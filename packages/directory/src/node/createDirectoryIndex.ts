import { AddressSchema, parseWith } from '@gotong/core'
import type Database from 'better-sqlite3'
import { type Address, getAddress, type Hex } from 'viem'
import { getBlock, getBlockNumber, getChainId, watchBlockNumber } from 'viem/actions'
import { z } from 'zod'
import { type CheckAccessReturnType, checkAccess } from '../actions/checkAccess.js'
import {
  type GetAccessRequirementsReturnType,
  getAccessRequirements,
} from '../actions/getAccessRequirements.js'
import { ManifestFetchError } from '../errors.js'
import type { DirectoryReadClient } from '../internal/readClient.js'
import { ToolIdInput } from '../internal/schemas.js'
import type { UnverifiedReason } from '../verifyManifest.js'
import { decodeDirectoryLogs } from './decodeDirectoryLogs.js'
import { createManifestFetcher, type FetchManifest } from './fetchManifest.js'
import { getLogsInRange, type RangeState, rangeState } from './getLogsInRanges.js'
import { type Listing, type ToolRow, toListing } from './listing.js'
import { queryOffers, queryRows, SearchParameters } from './searchQuery.js'
import { claimStore, openStore, statementCache } from './store.js'
import { createWriter, type DirectoryLog, type FetchedManifest, toRowId } from './writer.js'

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
})
export type CreateDirectoryIndexParameters = z.input<typeof CreateDirectoryIndexParameters>

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

/** One version in a tool's lineage. */
export type VersionRecord = {
  version: bigint
  manifestHash: Hex
  /** Zero hash for version 1. */
  previousManifestHash: Hex
  metadataURI: string
  blockNumber: bigint
  transactionHash: Hex
  status: 'verified' | 'unverified'
  unverified: { reason: UnverifiedReason; message: string } | undefined
}

/** One search hit: a tool, and every listing of the same manifest (competing offers). */
export type SearchResult = {
  /** The best offer: verified first, then cheapest, then oldest. */
  listing: Listing
  /** All offers of this manifest hash, `listing` first. */
  offers: Listing[]
  /** BM25 text relevance (lower is better), or null without `text`. */
  relevance: number | null
}

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
  const accessCache = new Map<string, Promise<CheckAccessReturnType>>()
  const requirementsCache = new Map<string, Promise<GetAccessRequirementsReturnType>>()
  let cacheBlock = -1n

  async function ready() {
    if (writer && chainId !== undefined) return { writer, chainId }
    chainId = options.chainId ?? client.chain?.id ?? (await getChainId(client))
    claimStore(db, options.store, { chainId, address, fromBlock })
    writer = createWriter(db, { chainId })
    fetchManifest =
      options.fetchManifest === false
        ? false
        : (options.fetchManifest ?? createManifestFetcher({ chainId }))
    return { writer, chainId }
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

  async function hashAt(blockNumber: bigint): Promise<Hex | undefined> {
    if (blockNumber < 0n) return undefined
    try {
      return (await getBlock(client, { blockNumber })).hash ?? undefined
    } catch {
      // A block past the head (the chain was reset or reorganized to a shorter one).
      return undefined
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
    accessCache.clear()
    requirementsCache.clear()
    return target
  }

  async function syncNow(toBlock: bigint | undefined): Promise<SyncResult> {
    const { writer: w } = await ready()
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
        const fetched = await fetchUriManifests(decoded)
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
    return {
      fromBlock: start <= head ? start : undefined,
      toBlock: cursor().blockNumber,
      logs: applied,
      rolledBackTo,
    }
  }

  /** Fetches the manifest of each tool's newest version in a batch that came without bytes. */
  async function fetchUriManifests(logs: readonly DirectoryLog[]): Promise<FetchedManifest[]> {
    const fetcher = fetchManifest
    if (!fetcher) return []
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
    const jobs = [...wanted.entries()]
    const results: FetchedManifest[] = []
    const worker = async () => {
      for (let job = jobs.shift(); job; job = jobs.shift()) {
        const [toolId, { version, uri, blockNumber }] = job
        try {
          results.push({ toolId, version, blockNumber, result: { bytes: await fetcher(uri) } })
        } catch (error) {
          const oversized = error instanceof ManifestFetchError && error.oversized
          const message = error instanceof Error ? error.message.split('\n')[0]! : String(error)
          results.push({ toolId, version, blockNumber, result: { error: message, oversized } })
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(8, jobs.length) }, worker))
    return results
  }

  function storedUri(id: number): string | undefined {
    return (sql('SELECT uri FROM tools WHERE tool_id = ?').get(id) as { uri: string } | undefined)
      ?.uri
  }

  /** Runs index work one call at a time (a sync and a watch tick never interleave). */
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work, work)
    queue = next.catch(() => undefined)
    return next
  }

  function agentOf(creator: string, cache: Map<string, Listing['agent']>): Listing['agent'] {
    if (cache.has(creator)) return cache.get(creator)
    const row = sql(
      'SELECT endpoint, name, card_hash FROM agents WHERE agent = ? ORDER BY block_number DESC, log_index DESC LIMIT 1',
    ).get(creator) as
      | { endpoint: string | null; name: string | null; card_hash: string | null }
      | undefined
    const agent =
      row?.endpoint && row.name && row.card_hash
        ? { endpoint: row.endpoint, name: row.name, cardHash: row.card_hash as Hex }
        : undefined
    cache.set(creator, agent)
    return agent
  }

  /** Per-block caches: a verdict read at one indexed block holds until the index moves on. */
  function cachesAt(block: bigint) {
    if (block !== cacheBlock) {
      accessCache.clear()
      requirementsCache.clear()
      cacheBlock = block
    }
  }

  async function search(input: SearchParameters = {}): Promise<SearchResult[]> {
    const p = parseWith(SearchParameters, input, 'search parameters')
    const { chainId: id } = await ready()
    const limit = p.limit ?? 20
    const at = cursor().blockNumber
    cachesAt(at)
    const agents = new Map<string, Listing['agent']>()
    const listing = (row: ToolRow) =>
      toListing(row, { chainId: id, address, agent: agentOf(row.creator, agents) })
    const results: SearchResult[] = []
    const seen = new Set<string>()
    // One manifest listed twice takes two rows for one result: a few spare rows usually do.
    const pageSize = limit + 5
    let offset = 0
    pages: for (;;) {
      const rows = queryRows(sql, p, { offset, count: pageSize })
      offset += rows.length
      const fresh = rows.filter((row) => {
        if (seen.has(row.manifest_hash)) return false
        seen.add(row.manifest_hash)
        return true
      })
      const offers = new Map<string, ToolRow[]>()
      for (const row of queryOffers(
        sql,
        p,
        fresh.map((r) => r.manifest_hash),
      )) {
        const group = offers.get(row.manifest_hash) ?? []
        group.push(row)
        offers.set(row.manifest_hash, group)
      }
      for (const row of fresh) {
        let group = (offers.get(row.manifest_hash) ?? []).map(listing)
        if (p.accessibleTo) group = await accessible(group, p.accessibleTo, at)
        if (!group.length) continue
        results.push({ listing: group[0]!, offers: group, relevance: row.score })
        if (results.length === limit) break pages
      }
      if (rows.length < pageSize) break
    }
    if (p.requirements !== false) await attachRequirements(results, at)
    return results
  }

  async function accessible(offers: Listing[], account: Address, at: bigint) {
    const checked = await Promise.all(
      offers.map(async (offer) => {
        if (!offer.access.predicate || offer.deregistered) {
          if (!offer.deregistered)
            offer.access.check = { account, status: 'granted', ok: true, granted: true }
          return offer
        }
        const key = `${offer.toolId}:${account}`
        let verdict = accessCache.get(key)
        if (!verdict) {
          verdict = checkAccess(client, {
            address,
            toolId: offer.toolId,
            account,
            blockNumber: at,
          })
          accessCache.set(key, verdict)
          verdict.catch(() => accessCache.delete(key))
        }
        offer.access.check = { account, ...(await verdict) }
        return offer
      }),
    )
    return checked.filter((offer) => offer.access.check && offer.access.check.status !== 'denied')
  }

  async function attachRequirements(results: SearchResult[], at: bigint) {
    const gated = results
      .flatMap((r) => r.offers)
      .filter((o) => o.access.predicate && !o.deregistered)
    await Promise.all(
      gated.map(async (offer) => {
        const key = `${offer.toolId}:${offer.access.predicate}`
        let requirements = requirementsCache.get(key)
        if (!requirements) {
          requirements = getAccessRequirements(client, {
            address,
            toolId: offer.toolId,
            predicate: offer.access.predicate,
            blockNumber: at,
          })
          requirementsCache.set(key, requirements)
          requirements.catch(() => requirementsCache.delete(key))
        }
        offer.access.requirements = await requirements
      }),
    )
  }

  async function getListing(toolId: bigint | number | string) {
    const { chainId: id } = await ready()
    const rowId = toRowId(parseWith(ToolIdInput, toolId, 'tool id'))
    const row =
      rowId === undefined
        ? undefined
        : (sql('SELECT * FROM tools WHERE tool_id = ?').get(rowId) as ToolRow | undefined)
    if (!row) return undefined
    const versions = (
      sql('SELECT * FROM versions WHERE tool_id = ? ORDER BY version').all(rowId) as {
        version: number
        manifest_hash: string
        previous_hash: string
        uri: string
        block_number: number
        transaction_hash: string
      }[]
    ).map((v): VersionRecord => {
      const manifests = sql(
        'SELECT source, status, reason, message FROM manifests WHERE tool_id = ? AND version = ?',
      ).all(rowId, v.version) as {
        source: string
        status: 'verified' | 'unverified'
        reason: UnverifiedReason | null
        message: string | null
      }[]
      const pick =
        manifests.find((m) => m.status === 'verified') ??
        manifests.find((m) => m.source === 'event') ??
        manifests[0]
      return {
        version: BigInt(v.version),
        manifestHash: v.manifest_hash as Hex,
        previousManifestHash: v.previous_hash as Hex,
        metadataURI: v.uri,
        blockNumber: BigInt(v.block_number),
        transactionHash: v.transaction_hash as Hex,
        status: pick?.status ?? 'unverified',
        unverified:
          pick?.status === 'verified'
            ? undefined
            : {
                reason: pick?.reason ?? 'no_manifest',
                message: pick?.message ?? 'no manifest bytes are known for this version yet',
              },
      }
    })
    return {
      ...toListing(row, { chainId: id, address, agent: agentOf(row.creator, new Map()) }),
      versions,
    }
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
    search: (searchParameters) => search(searchParameters),
    getListing,
    watch,
    cursor,
    close() {
      for (const stop of [...unwatchers]) stop()
      db.close()
    },
  }
}
