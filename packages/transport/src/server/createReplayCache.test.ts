import { describe, expect, test } from 'vitest'
import { createReplayCache } from './createReplayCache.js'

describe('createReplayCache', () => {
  test('holds a key until its time has passed, then forgets it', () => {
    const cache = createReplayCache(10)
    expect(cache.remember('a', 100, 0)).toBe('fresh')
    expect(cache.remember('a', 100, 50)).toBe('replayed')
    expect(cache.remember('a', 100, 100)).toBe('replayed')
    expect(cache.remember('b', 200, 101)).toBe('fresh')
    expect(cache.size).toBe(1)
    expect(cache.remember('a', 300, 101)).toBe('fresh')
  })

  test('is bounded: full with unexpired keys, room again as they expire', () => {
    const cache = createReplayCache(3)
    expect(cache.remember('a', 30, 0)).toBe('fresh')
    expect(cache.remember('b', 10, 0)).toBe('fresh')
    expect(cache.remember('c', 20, 0)).toBe('fresh')
    expect(cache.remember('d', 40, 5)).toBe('full')
    expect(cache.remember('b', 10, 5)).toBe('replayed')
    expect(cache.remember('d', 40, 11)).toBe('fresh')
    expect(cache.remember('e', 40, 21)).toBe('fresh')
    expect(cache.size).toBe(3)
  })

  test('evicts in expiry order over many random insertions', () => {
    const cache = createReplayCache(1_000_000)
    let seed = 7
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const expiries = new Map<string, number>()
    for (let now = 0; now < 5_000; now++) {
      const key = `k${now}`
      const keepUntil = now + Math.floor(random() * 300)
      expect(cache.remember(key, keepUntil, now)).toBe('fresh')
      expiries.set(key, keepUntil)
      const live = [...expiries.values()].filter((t) => t >= now).length
      expect(cache.size).toBe(live)
      if (now % 97 === 0) {
        const old = `k${Math.floor(random() * now)}`
        const expected = (expiries.get(old) ?? -1) >= now ? 'replayed' : 'fresh'
        expect(cache.remember(old, now, now)).toBe(expected)
        if (expected === 'fresh') expiries.set(old, now)
      }
    }
  })
})
