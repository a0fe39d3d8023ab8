/** Remembers which (sender, nonce) pairs were seen, each only as long as it could be replayed. */
export type ReplayCache = {
  /**
   * Records `key` until `keepUntil` (inclusive). Returns `'replayed'` if it is already held,
   * `'full'` if `capacity` unexpired keys are held (nothing is forgotten early: that would let a
   * replay through), else `'fresh'`.
   */
  remember(key: string, keepUntil: number, now: number): 'fresh' | 'replayed' | 'full'
  readonly size: number
}

/**
 * A replay cache in bounded memory: a map for lookups and a binary min-heap of expiry times, so
 * expired keys are dropped in O(log n) each, oldest first, on every call.
 *
 * @example
 * const cache = createReplayCache(100_000)
 * cache.remember(`${from}:${nonce}`, envelope.expiresAt + maxSkewMs, now()) // 'fresh'
 */
export function createReplayCache(capacity: number): ReplayCache {
  const held = new Map<string, number>()
  const times: number[] = []
  const keys: string[] = []

  function push(time: number, key: string) {
    let i = times.length
    times.push(time)
    keys.push(key)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (times[parent]! <= time) break
      times[i] = times[parent]!
      keys[i] = keys[parent]!
      i = parent
    }
    times[i] = time
    keys[i] = key
  }

  function pop() {
    const lastTime = times.pop()!
    const lastKey = keys.pop()!
    if (times.length === 0) return
    let i = 0
    const n = times.length
    for (;;) {
      const left = 2 * i + 1
      if (left >= n) break
      const right = left + 1
      const child = right < n && times[right]! < times[left]! ? right : left
      if (times[child]! >= lastTime) break
      times[i] = times[child]!
      keys[i] = keys[child]!
      i = child
    }
    times[i] = lastTime
    keys[i] = lastKey
  }

  return {
    remember(key, keepUntil, now) {
      while (times.length > 0 && times[0]! < now) {
        held.delete(keys[0]!)
        pop()
      }
      if (held.has(key)) return 'replayed'
      if (held.size >= capacity) return 'full'
      held.set(key, keepUntil)
      push(keepUntil, key)
      return 'fresh'
    },
    get size() {
      return held.size
    },
  }
}
