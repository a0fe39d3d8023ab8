import type { Hex } from 'viem'
import type { Reply } from './reply.js'

/** The first request made with one (sender, idempotency key), and its answer once known. */
export type IdempotencyEntry = {
  route: string
  bodyHash: Hex
  /** Resolves to the first request's reply; never rejects. Retries wait on it. */
  reply: Promise<Reply>
  storedAt: number
  settled: boolean
}

export type IdempotencyCache = {
  lookup(key: string, now: number): IdempotencyEntry | undefined
  store(key: string, entry: IdempotencyEntry): void
  readonly size: number
}

/**
 * Answers kept per (sender, idempotency key) for `ttlMs`, at most `capacity` of them. Entries
 * are kept in arrival order, so expired ones are dropped from the front; one still in flight is
 * never dropped, since a retry must wait for it rather than run the handler again.
 */
export function createIdempotencyCache(parameters: {
  ttlMs: number
  capacity: number
}): IdempotencyCache {
  const entries = new Map<string, IdempotencyEntry>()

  function evict(now: number) {
    for (const [key, entry] of entries) {
      const full = entries.size > parameters.capacity
      if (!full && entry.storedAt + parameters.ttlMs >= now) break
      if (entry.settled) entries.delete(key)
    }
  }

  return {
    lookup(key, now) {
      evict(now)
      return entries.get(key)
    },
    store(key, entry) {
      entries.set(key, entry)
      entry.reply.then(() => {
        entry.settled = true
      })
      evict(entry.storedAt)
    },
    get size() {
      return entries.size
    },
  }
}
