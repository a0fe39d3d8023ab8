import type { CallForProposals, Terms } from '@gotong/core'

export type CounterPolicyInput = {
  cfp: CallForProposals
  /** The terms the consumer asks for. */
  counter: Terms
  /** The provider's own terms for this request now (its pricing policy's quote). */
  list: Terms
  round: number
}

/**
 * Answers a counter: the terms to propose next, or undefined to refuse it (the standing offer
 * still stands). Policies are plain functions; write your own.
 */
export type CounterPolicy = (
  input: CounterPolicyInput,
) => Terms | undefined | Promise<Terms | undefined>

const min = (a: bigint, b: bigint) => (a < b ? a : b)
const max = (a: bigint, b: bigint) => (a > b ? a : b)

/**
 * Meets a counter up to a limit: the price comes down to at most `maxBps` below list, the
 * quota, validity and rate only as far as the list terms allow, the latency never below what
 * the provider promises. `concede({ maxBps: 0 })` holds the price firm.
 *
 * @example createResponder({ ..., counter: concede({ maxBps: 1_000 }) }) // up to 10 % off
 */
export function concede(parameters: { maxBps: number }): CounterPolicy {
  return ({ counter, list }) => {
    const floor = (list.pricePerCall * BigInt(10_000 - parameters.maxBps)) / 10_000n
    return {
      token: list.token,
      pricePerCall: max(counter.pricePerCall, floor),
      maxCalls: min(counter.maxCalls, list.maxCalls),
      validUntil: min(counter.validUntil, list.validUntil),
      p95LatencyMs: list.p95LatencyMs === 0 ? 0 : Math.max(counter.p95LatencyMs, list.p95LatencyMs),
      callsPerMinute: Math.min(counter.callsPerMinute, list.callsPerMinute),
    }
  }
}
