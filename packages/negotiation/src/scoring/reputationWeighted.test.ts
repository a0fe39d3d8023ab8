import type { CallForProposals, Proposal } from '@gotong/core'
import { describe, expect, test } from 'vitest'
import { rankOffers } from './rankOffers.js'
import { reputationWeighted } from './reputationWeighted.js'

const registry = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const cfpId = `0x${'22'.repeat(32)}` as const
const now = 1_764_072_000_000
const cfp = {
  type: 'cfp',
  cfpId,
  consumer: registry,
  chainId: 31337,
  tool: { registry, toolId: 1n },
  constraints: { maxPricePerCall: 1_000n, calls: 100n, deadline: BigInt(now / 1000 + 3_600) },
  respondBy: BigInt(now / 1000 + 5),
} satisfies CallForProposals

const payees = {
  cheapUnknown: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  dearTrusted: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  cheapDistrusted: '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
} as const

function offer(payee: `0x${string}`, pricePerCall: bigint, id: number) {
  const proposal: Proposal = {
    type: 'proposal',
    cfpId,
    proposalId: `0x${id.toString(16).padStart(64, '0')}`,
    round: 0,
    payee,
    tool: { registry, toolId: 1n, manifestHash: `0x${'ab'.repeat(32)}` },
    terms: {
      token: registry,
      pricePerCall,
      maxCalls: 100n,
      validUntil: cfp.constraints.deadline,
      p95LatencyMs: 200,
      callsPerMinute: 300,
    },
    channel: { contract: registry, minDeposit: 0n },
    expiresAt: BigInt(now / 1000 + 60),
  }
  return { provider: payee, proposal }
}

const offers = [
  offer(payees.cheapDistrusted, 300n, 1),
  offer(payees.cheapUnknown, 400n, 2),
  offer(payees.dearTrusted, 600n, 3),
]
const reputation = (payee: string) =>
  payee === payees.dearTrusted ? 0.95 : payee === payees.cheapDistrusted ? 0.1 : undefined

describe('reputationWeighted', () => {
  test('off (the default cheapest), price alone wins; weighted, a trusted payee beats a cheaper unknown one', async () => {
    const byPrice = await rankOffers(offers, { cfp, now, reputation: reputation as never })
    expect(byPrice.map((o) => o.provider)).toEqual([
      payees.cheapDistrusted,
      payees.cheapUnknown,
      payees.dearTrusted,
    ])
    const weighed = await rankOffers(offers, {
      cfp,
      now,
      score: reputationWeighted(undefined, { weight: 0.5 }),
      reputation: reputation as never,
    })
    // dearTrusted: 0.5 × 0.4 + 0.5 × 0.95 = 0.675; cheapUnknown: 0.5 × 0.6 + 0.5 × 0.5 = 0.55;
    // cheapDistrusted: 0.5 × 0.7 + 0.5 × 0.1 = 0.4.
    expect(weighed.map((o) => o.provider)).toEqual([
      payees.dearTrusted,
      payees.cheapUnknown,
      payees.cheapDistrusted,
    ])
    expect(weighed[0]!.score).toBeCloseTo(0.675, 6)
  })

  test('a minimum rules out payees known to rate lower, not unknown ones; weight 0 is the base score', async () => {
    const vetted = await rankOffers(offers, {
      cfp,
      now,
      score: reputationWeighted(undefined, { weight: 0.2, minimum: 0.5 }),
      reputation: reputation as never,
    })
    expect(vetted.map((o) => o.provider)).toEqual([payees.cheapUnknown, payees.dearTrusted])
    const none = await rankOffers(offers, {
      cfp,
      now,
      score: reputationWeighted(undefined, { weight: 0 }),
      reputation: reputation as never,
    })
    expect(none.map((o) => o.provider)).toEqual(byPriceOrder)
    // A base that rules an offer out keeps it out, however trusted its payee.
    const vetoed = await rankOffers(offers, {
      cfp,
      now,
      score: reputationWeighted((p) => (p.terms.pricePerCall > 500n ? -Infinity : 1)),
      reputation: reputation as never,
    })
    expect(vetoed.map((o) => o.provider)).not.toContain(payees.dearTrusted)
  })
})

const byPriceOrder = [payees.cheapDistrusted, payees.cheapUnknown, payees.dearTrusted]
