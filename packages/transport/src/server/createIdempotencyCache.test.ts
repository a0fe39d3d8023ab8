import { describe, expect, test } from 'vitest'
import { createIdempotencyCache, type IdempotencyEntry } from './createIdempotencyCache.js'

const entry = (storedAt: number, reply = Promise.resolve({ status: 200, body: '{}' })) =>
  ({ route: 'r', bodyHash: '0x00', reply, storedAt, settled: false }) as IdempotencyEntry

describe('createIdempotencyCache', () => {
  test('drops settled entries past their ttl, oldest first', async () => {
    const cache = createIdempotencyCache({ ttlMs: 100, capacity: 10 })
    cache.store('a', entry(0))
    cache.store('b', entry(50))
    await Promise.resolve()
    expect(cache.lookup('a', 100)).toBeDefined()
    expect(cache.lookup('a', 101)).toBeUndefined()
    expect(cache.lookup('b', 101)).toBeDefined()
    expect(cache.size).toBe(1)
  })

  test('never drops an entry still in flight, even past its ttl or capacity', async () => {
    const cache = createIdempotencyCache({ ttlMs: 100, capacity: 1 })
    let finish = () => {}
    const pending = new Promise<{ status: number; body: string }>((resolve) => {
      finish = () => resolve({ status: 200, body: '{}' })
    })
    cache.store('slow', entry(0, pending))
    cache.store('fast', entry(1))
    await Promise.resolve()
    cache.store('next', entry(2))
    expect(cache.lookup('slow', 1_000)).toBeDefined()
    expect(cache.lookup('fast', 3)).toBeUndefined()
    finish()
    await pending
    await Promise.resolve()
    expect(cache.lookup('slow', 1_000)).toBeUndefined()
  })
})
