import type { Proposal, Terms } from '@gotong/core'
import { describe, expect, test } from 'vitest'
import { acceptOffer, counterToward } from './strategies.js'

const terms: Terms = {
  token: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
  pricePerCall: 800n,
  maxCalls: 100n,
  validUntil: 2_000n,
  p95LatencyMs: 500,
  callsPerMinute: 60,
}
const input = (round: number, over: Partial<Terms> = {}) => ({
  cfp: {} as never,
  proposal: { terms: { ...terms, ...over } } as unknown as Proposal,
  round,
  maxRounds: 2,
  now: 0,
})

describe('counter strategies', () => {
  test('counterToward asks only for what is missing, accepts once met or out of rounds', () => {
    const strategy = counterToward({ pricePerCall: 600n, p95LatencyMs: 200, maxCalls: 50n })
    expect(strategy(input(0))).toEqual({
      type: 'counter',
      terms: { ...terms, pricePerCall: 600n, p95LatencyMs: 200 },
    })
    expect(strategy(input(1, { pricePerCall: 600n, p95LatencyMs: 200 }))).toEqual({
      type: 'accept',
    })
    expect(strategy(input(2))).toEqual({ type: 'accept' })
    expect(acceptOffer(input(0))).toEqual({ type: 'accept' })
  })
})
