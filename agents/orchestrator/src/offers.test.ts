import type { Listing } from '@gotong/directory/node'
import type { Address } from 'viem'
import { describe, expect, test } from 'vitest'
import { offersFromListings, rankOffers } from './offers.js'

const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Address

const listing = (
  toolId: number,
  price: bigint,
  sla?: { p95LatencyMs: number; callsPerMinute: number },
  extra: Partial<Listing> = {},
): Listing =>
  ({
    toolId: BigInt(toolId),
    ref: `eip155:31337/erc8257:${address(0xd)}/${toolId}`,
    creator: address(toolId),
    status: 'verified',
    deregistered: false,
    price: { amount: price, asset: 'a', recipient: 'r', protocol: 'gotong-channel' },
    access: { predicate: null, hints: undefined },
    manifest: {
      name: `tool-${toolId}`,
      'dev.gotong.terms': {
        version: 1,
        channels: `eip155:31337:${address(0xc)}`,
        ...(sla ? { sla } : {}),
      },
    },
    ...extra,
  }) as unknown as Listing

describe('offersFromListings', () => {
  test('reads price and SLA from the listing; drops own, unverified, unpriced and repeated', () => {
    const offers = offersFromListings(
      [
        listing(1, 2_000n, { p95LatencyMs: 800, callsPerMinute: 600 }),
        listing(1, 2_000n),
        listing(2, 1_000n, undefined, { status: 'unverified' }),
        listing(3, 1_000n, undefined, { price: undefined }),
        listing(4, 500n),
        listing(5, 10n, undefined, { deregistered: true }),
      ],
      address(4),
    )
    expect(offers.map((o) => [o.toolId, o.name, o.price, o.p95LatencyMs, o.gated])).toEqual([
      [1n, 'tool-1', 2_000n, 800, false],
    ])
  })
})

describe('rankOffers', () => {
  const offers = offersFromListings([
    listing(1, 2_000n, { p95LatencyMs: 800, callsPerMinute: 600 }),
    listing(2, 1_000n, { p95LatencyMs: 5_000, callsPerMinute: 60 }),
    listing(3, 2_000n, { p95LatencyMs: 300, callsPerMinute: 600 }),
    listing(4, 100n),
  ])

  test('the cheapest offer meeting the SLA wins; ties go to the faster', () => {
    const { ranked, rejected } = rankOffers(offers)
    expect(ranked.map((o) => o.toolId)).toEqual([3n, 1n])
    expect(rejected.map((r) => [r.offer.toolId, r.reason])).toEqual([
      [2n, 'p95 5000 ms > 2000 ms'],
      [4n, 'states no SLA'],
    ])
  })

  test('a looser SLA lets the budget offer win; price and throughput limits apply', () => {
    expect(rankOffers(offers, { maxP95LatencyMs: 10_000 }).ranked[0]!.toolId).toBe(2n)
    expect(
      rankOffers(offers, { maxP95LatencyMs: 10_000, minCallsPerMinute: 100 }).ranked.map(
        (o) => o.toolId,
      ),
    ).toEqual([3n, 1n])
    const capped = rankOffers(offers, { maxPrice: 1_500n })
    expect(capped.ranked).toEqual([])
    expect(capped.rejected.map((r) => r.reason)).toContain('price 2000 > 1500')
  })
})
