import type { CallForProposals, Proposal } from '@gotong/core'
import { describe, expect, test } from 'vitest'
import { constraintViolation } from './constraintViolation.js'
import { rankOffers } from './rankOffers.js'
import { cheapest, weightedScore } from './weightedScore.js'

const token = '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0'
const registry = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const cfpId = `0x${'11'.repeat(32)}` as const
const now = 1_764_072_000_000

const cfp = {
  type: 'cfp',
  cfpId,
  consumer: registry,
  chainId: 31337,
  tool: { registry, toolId: 1n },
  constraints: {
    maxPricePerCall: 1_000n,
    calls: 100n,
    deadline: BigInt(now / 1000 + 3_600),
    sla: { p95LatencyMs: 200, callsPerMinute: 300 },
  },
  respondBy: BigInt(now / 1000 + 5),
} satisfies CallForProposals

function proposal(id: number, terms: Partial<Proposal['terms']> = {}): Proposal {
  return {
    type: 'proposal',
    cfpId,
    proposalId: `0x${id.toString(16).padStart(64, '0')}`,
    round: 0,
    payee: registry,
    tool: { registry, toolId: 1n, manifestHash: `0x${'ab'.repeat(32)}` },
    terms: {
      token,
      pricePerCall: 500n,
      maxCalls: 100n,
      validUntil: cfp.constraints.deadline,
      p95LatencyMs: 200,
      callsPerMinute: 300,
      ...terms,
    },
    channel: { contract: registry, minDeposit: 0n },
    expiresAt: BigInt(now / 1000 + 60),
  }
}

describe('scoring', () => {
  test('hard constraints say which one is missed', () => {
    expect(constraintViolation(proposal(1), cfp, now)).toBeUndefined()
    expect(constraintViolation(proposal(1, { pricePerCall: 1_001n }), cfp, now)).toBe(
      'price above the cap',
    )
    expect(constraintViolation({ ...proposal(1), expiresAt: BigInt(now / 1000) }, cfp, now)).toBe(
      'offer expired',
    )
    expect(constraintViolation(proposal(1), { ...cfp, tool: { registry, toolId: 2n } }, now)).toBe(
      'another tool',
    )
    expect(
      constraintViolation(
        proposal(1),
        { ...cfp, constraints: { ...cfp.constraints, token: registry } },
        now,
      ),
    ).toBe('another token')
  })

  test('weighted attributes: each 0–1 against what was asked', () => {
    const context = { cfp, now, reputation: undefined }
    expect(weightedScore({ price: 1 })(proposal(1, { pricePerCall: 250n }), context)).toBe(0.75)
    expect(weightedScore({ latency: 1 })(proposal(1, { p95LatencyMs: 400 }), context)).toBe(0.5)
    expect(weightedScore({ latency: 1 })(proposal(1, { p95LatencyMs: 0 }), context)).toBe(0)
    expect(weightedScore({ rate: 1 })(proposal(1, { callsPerMinute: 600 }), context)).toBe(1)
    expect(weightedScore({ quota: 1 })(proposal(1, { maxCalls: 25n }), context)).toBe(0.25)
    const halfway = BigInt(now / 1000 + 1_800)
    expect(weightedScore({ deadline: 1 })(proposal(1, { validUntil: halfway }), context)).toBe(0.5)
    expect(weightedScore({ reputation: 1 })(proposal(1), { ...context, reputation: 0.9 })).toBe(0.9)
    // weights average: (1 × 0.75 + 3 × 0.5) / 4
    expect(
      weightedScore({ price: 1, latency: 3 })(
        proposal(1, { pricePerCall: 250n, p95LatencyMs: 400 }),
        context,
      ),
    ).toBe(0.5625)
    expect(weightedScore({})(proposal(1), context)).toBe(0)
  })

  test('ranking: best first, ineligible dropped, ties in arrival order, reputation hook', async () => {
    const offers = [
      { provider: 'slow', proposal: proposal(1, { pricePerCall: 400n, p95LatencyMs: 900 }) },
      { provider: 'dear', proposal: proposal(2, { pricePerCall: 2_000n }) },
      { provider: 'fast', proposal: proposal(3, { pricePerCall: 400n, p95LatencyMs: 100 }) },
      { provider: 'twin', proposal: proposal(4, { pricePerCall: 400n, p95LatencyMs: 100 }) },
      { provider: 'mid', proposal: proposal(5, { pricePerCall: 450n }) },
    ]
    const byPrice = await rankOffers(offers, { cfp, now })
    expect(byPrice.map((o) => o.provider)).toEqual(['fast', 'twin', 'slow', 'mid'])
    expect(byPrice[0]!.score).toBe(
      cheapest(offers[2]!.proposal, { cfp, now, reputation: undefined }),
    )

    const trustedPayee = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' as const
    const withTrusted = offers.map((o) =>
      o.provider === 'mid' ? { ...o, proposal: { ...o.proposal, payee: trustedPayee } } : o,
    )
    const trusted = await rankOffers(withTrusted, {
      cfp,
      now,
      score: weightedScore({ price: 1, reputation: 1 }),
      reputation: (payee) => (payee === trustedPayee ? 1 : 0.2),
    })
    // mid: (0.55 + 1) / 2 beats fast: (0.6 + 0.2) / 2
    expect(trusted.map((o) => o.provider)).toEqual(['mid', 'slow', 'fast', 'twin'])
    const vetoed = await rankOffers(offers, {
      cfp,
      now,
      score: (p) => (p.terms.p95LatencyMs > 500 ? Number.NEGATIVE_INFINITY : 1),
    })
    expect(vetoed.map((o) => o.provider)).toEqual(['fast', 'twin', 'mid'])
  })
})
