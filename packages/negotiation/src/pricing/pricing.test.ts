import type { Address } from 'viem'
import { describe, expect, test } from 'vitest'
import { holderDiscount } from './holderDiscount.js'
import { loadSurcharge } from './loadSurcharge.js'
import type { PricingRequest } from './pricingPolicy.js'
import { applyBps, pricingPolicy } from './pricingPolicy.js'
import { volumeDiscount } from './volumeDiscount.js'

const holder: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const stranger: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const request = (calls: bigint, consumer = stranger): PricingRequest => ({
  cfp: {} as never,
  consumer,
  calls,
  round: 0,
  now: 0,
})

describe('pricing policies', () => {
  test('basis points round down, in both directions', () => {
    expect(applyBps(1_000n, -500)).toBe(950n)
    expect(applyBps(1_000n, 2_000)).toBe(1_200n)
    expect(applyBps(999n, -1)).toBe(998n)
  })

  test('volume tiers: the best tier reached applies', async () => {
    const rule = volumeDiscount([
      { minCalls: 1_000n, bps: 500 },
      { minCalls: 10_000n, bps: 1_500 },
    ])
    expect(await rule(1_000n, request(999n))).toBe(1_000n)
    expect(await rule(1_000n, request(1_000n))).toBe(950n)
    expect(await rule(1_000n, request(50_000n))).toBe(850n)
  })

  test('base, volume, holder and load compose in order; users add their own rules', async () => {
    let load = 0
    const policy = pricingPolicy(
      1_000n,
      volumeDiscount([{ minCalls: 100n, bps: 1_000 }]),
      holderDiscount({ bps: 2_000, isHolder: async (consumer) => consumer === holder }),
      loadSurcharge({ maxBps: 5_000, load: () => load }),
      // a user's own rule: never below 500
      (price) => (price < 500n ? 500n : price),
    )
    expect(await policy(request(10n))).toBe(1_000n)
    expect(await policy(request(100n))).toBe(900n)
    expect(await policy(request(100n, holder))).toBe(720n)
    load = 0.5
    expect(await policy(request(100n, holder))).toBe(900n)
    load = 7 // clamped to full load
    expect(await policy(request(10n))).toBe(1_500n)
    const floor = pricingPolicy(600n, holderDiscount({ bps: 5_000, isHolder: () => true }), (p) =>
      p < 500n ? 500n : p,
    )
    expect(await floor(request(1n))).toBe(500n)
  })

  test('a base price can depend on the request', async () => {
    const policy = pricingPolicy(({ calls }) => (calls > 1_000n ? 10n : 20n))
    expect(await policy(request(5n))).toBe(20n)
    expect(await policy(request(5_000n))).toBe(10n)
  })
})
