import { parseWith } from '@gotong/core'
import type { Hex } from 'viem'
import { z } from 'zod'
import { IndexBehindError, RemoteIndexError } from '../../errors.js'
import { ToolIdInput } from '../../internal/schemas.js'
import type { DirectoryIndex, WatchOptions } from '../createDirectoryIndex.js'
import type { Listing } from '../listing.js'
import type { SearchResult, VersionRecord } from '../searchIndex.js'
import { SearchParameters } from '../searchQuery.js'
import type { SyncResult } from '../syncIndex.js'
import { ListingResponse, SearchResponse, StatusResponse, toWireJson } from './wire.js'

/** What `createRemoteIndex()` accepts. */
export const CreateRemoteIndexParameters = z.strictObject({
  /** The indexer's HTTP origin (`gotong indexer start` prints it), e.g. `http://127.0.0.1:42069`. */
  url: z.url({ protocol: /^https?$/ }),
  /** Milliseconds between polls while waiting for a block or watching (250 by default). */
  pollingInterval: z.number().int().positive().optional(),
  /** How long `sync()` waits for the indexer to reach the block (60 s by default). */
  timeoutMs: z.number().int().positive().optional(),
  /** Per-request timeout in ms (30 s by default). */
  requestTimeoutMs: z.number().int().positive().optional(),
  /** The fetch to use (the global one by default). */
  fetch: z.custom<typeof fetch>((value) => typeof value === 'function').optional(),
})
export type CreateRemoteIndexParameters = z.input<typeof CreateRemoteIndexParameters>

/**
 * A `DirectoryIndex` served by a shared indexer (`@gotong/indexer`, Ponder on PostgreSQL)
 * instead of a local SQLite file: the same search, answered over HTTP. `sync()` does not read
 * the chain; it waits until the indexer has indexed the chain's head (or `toBlock`), so a tool
 * is found right after it is published.
 *
 * @example
 * const index = createRemoteIndex({ url: 'http://127.0.0.1:42069' })
 * const { blockNumber } = await publishTool(wallet, { address, manifest })
 * await index.sync({ toBlock: blockNumber })
 * const [hit] = await index.search({ text: 'weather' })
 */
export function createRemoteIndex(parameters: CreateRemoteIndexParameters): DirectoryIndex {
  const options = parseWith(CreateRemoteIndexParameters, parameters, 'remote index parameters')
  const base = options.url.replace(/\/+$/, '')
  const doFetch = options.fetch ?? fetch
  const pollingInterval = options.pollingInterval ?? 250
  const timeoutMs = options.timeoutMs ?? 60_000
  const closed = new AbortController()
  const stops = new Set<() => void>()
  let known: { blockNumber: bigint; logs: bigint } | undefined

  async function request<T extends z.ZodType>(
    schema: T,
    path: string,
    body?: unknown,
  ): Promise<z.output<T>> {
    const signal = AbortSignal.any([
      closed.signal,
      AbortSignal.timeout(options.requestTimeoutMs ?? 30_000),
    ])
    const send = () =>
      doFetch(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: toWireJson(body) }),
        signal,
      })
    let response: Response
    try {
      // Every route only reads, so a request on a kept-alive socket that the indexer closed as
      // it was reused (the keep-alive race, frequent on a busy machine) is sent once more.
      response = await send().catch((error: unknown) => {
        if (!socketClosed(error) || signal.aborted) throw error
        return send()
      })
    } catch (cause) {
      throw new RemoteIndexError(base, 'could not be reached', { cause })
    }
    const text = await response.text().catch(() => '')
    if (!response.ok)
      throw new RemoteIndexError(base, `answered ${response.status} to ${path}`, {
        status: response.status,
        cause: text.slice(0, 500),
      })
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (cause) {
      throw new RemoteIndexError(base, `answered ${path} with something other than JSON`, {
        cause,
      })
    }
    const parsed = schema.safeParse(json)
    if (!parsed.success)
      throw new RemoteIndexError(base, `answered ${path} in an unexpected shape`, {
        cause: parsed.error,
      })
    return parsed.data
  }

  const status = () => request(StatusResponse, '/directory/status')

  function remember(block: bigint | null, logs?: bigint) {
    if (block === null) return
    known = { blockNumber: block, logs: logs ?? known?.logs ?? 0n }
  }

  async function sync(syncOptions: { toBlock?: bigint } = {}): Promise<SyncResult> {
    const before = known
    const deadline = Date.now() + timeoutMs
    // While waiting, an indexer that fails to answer (a 5xx, as while Ponder rolls back a
    // reorg) is asked again until the deadline; anything else fails the sync at once.
    const polled = async () => {
      for (;;) {
        try {
          return await status()
        } catch (error) {
          const transient = error instanceof RemoteIndexError && (error.status ?? 0) >= 500
          if (!transient || Date.now() >= deadline) throw error
          await sleep(pollingInterval, closed.signal)
        }
      }
    }
    let now = await polled()
    const wanted = syncOptions.toBlock ?? now.head
    while ((now.block ?? now.fromBlock - 1n) < wanted) {
      if (Date.now() >= deadline)
        throw new IndexBehindError(base, now.block ?? now.fromBlock - 1n, wanted, timeoutMs)
      await sleep(pollingInterval, closed.signal)
      now = await polled()
    }
    const block = now.block ?? now.fromBlock - 1n
    remember(block, now.logs)
    const from = (before?.blockNumber ?? now.fromBlock - 1n) + 1n
    return {
      fromBlock: from <= block ? from : undefined,
      toBlock: block,
      // Events the indexer applied since the last answer (since `fromBlock` at first).
      logs: now.logs > (before?.logs ?? 0n) ? Number(now.logs - (before?.logs ?? 0n)) : 0,
      rolledBackTo: before && block < before.blockNumber ? block : undefined,
    }
  }

  async function search(input: SearchParameters = {}): Promise<SearchResult[]> {
    // Checked here first, so bad input fails exactly as it does against a local index.
    parseWith(SearchParameters, input, 'search parameters')
    const answer = await request(SearchResponse, '/directory/search', input)
    remember(answer.block)
    return answer.results as SearchResult[]
  }

  async function getListing(
    toolId: bigint | number | string,
  ): Promise<(Listing & { versions: VersionRecord[] }) | undefined> {
    const id = parseWith(ToolIdInput, toolId, 'tool id')
    const answer = await request(ListingResponse, `/directory/tools/${id}`)
    remember(answer.block)
    return (answer.listing ?? undefined) as (Listing & { versions: VersionRecord[] }) | undefined
  }

  function watch(watchOptions: WatchOptions = {}): () => void {
    let stopped = false
    const interval = watchOptions.pollingInterval ?? pollingInterval
    const loop = async () => {
      while (!stopped) {
        try {
          const previous = known?.blockNumber
          const result = await sync()
          if (!stopped && result.toBlock !== previous) watchOptions.onSync?.(result)
        } catch (error) {
          if (!stopped) watchOptions.onError?.(error)
        }
        await sleep(interval, closed.signal).catch(() => undefined)
      }
    }
    void loop()
    const stop = () => {
      stopped = true
      stops.delete(stop)
    }
    stops.add(stop)
    return stop
  }

  return {
    store: base,
    sync,
    search,
    getListing,
    watch,
    cursor: () => ({
      blockNumber: known?.blockNumber ?? -1n,
      blockHash: undefined as Hex | undefined,
    }),
    close() {
      for (const stop of [...stops]) stop()
      closed.abort()
    },
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort)
      resolve()
    }, ms)
    const abort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', abort, { once: true })
  })
}

/** Whether a fetch failed because the other side closed or reset the connection. */
function socketClosed(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code
    if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') return true
  }
  return false
}
