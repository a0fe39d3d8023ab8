import { describe, expect, test } from 'vitest'
import { createReplayCache, replayKey } from './createReplayCache.js'

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

  test('a full cache forgets nothing early: replays stay refused, new keys wait for an expiry', () => {
    const cache = createReplayCache(3)
    expect(cache.nextExpiry()).toBeUndefined()
    for (const [key, until] of [
      ['a', 10],
      ['b', 20],
      ['c', 30],
    ] as const)
      expect(cache.remember(key, until, 0)).toBe('fresh')
    for (let now = 0; now <= 10; now += 5) {
      expect(cache.remember('d', 40, now)).toBe('full')
      for (const key of ['a', 'b', 'c']) expect(cache.remember(key, 99, now)).toBe('replayed')
    }
    expect(cache.nextExpiry()).toBe(10)
    expect(cache.remember('d', 40, 11)).toBe('fresh')
    expect(cache.remember('a', 50, 11)).toBe('full')
    expect(cache.remember('b', 50, 11)).toBe('replayed')
    expect(cache.nextExpiry()).toBe(20)
    expect([cache.size, cache.capacity]).toEqual([3, 3])
  })

  test('replayKey packs sender and nonce into 26 characters, whatever the hex case', () => {
    const sender = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8'
    const other = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc'
    const nonce = `0x${'ab'.repeat(31)}01`
    const key = replayKey(sender, nonce)
    expect(key).toHaveLength(26)
    expect(
      replayKey(sender.toUpperCase().replace('0X', '0x'), nonce.toUpperCase().replace('0X', '0x')),
    ).toBe(key)
    expect(replayKey(other, nonce)).not.toBe(key)
    expect(replayKey(sender, `0x${'ab'.repeat(31)}02`)).not.toBe(key)
    expect(replayKey(sender, `0x02${'ab'.repeat(31)}`)).not.toBe(
      replayKey(sender, `0x${'ab'.repeat(31)}02`),
    )
    const keys = new Set<string>()
    for (let i = 0; i < 2_000; i++)
      keys.add(replayKey(sender, `0x${i.toString(16).padStart(64, '0')}`))
    expect(keys.size).toBe(2_000)
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
