import type { Agreement } from '@gotong/core'
import type { FeedbackOutcome } from './types.js'

/** Refusals that are the provider's failure to serve, not the caller's mistake. */
const providerFailures = new Set(['HANDLER_FAILED', 'HANDLER_TIMEOUT', 'OUTPUT_INVALID'])

/**
 * The default value of a batch of paid calls, 0 to 100: each call counts 100 when served within
 * the agreed p95 latency (or when none was agreed), 50 when served slower, 0 when the provider
 * failed it; refusals of the caller's own making (bad input, a gate, a budget) do not count.
 * A batch with nothing to count is worth 100: its receipt proves calls were served.
 *
 * @example feedbackValue([{ ok: true, latencyMs: 40 }, { ok: false, code: 'HANDLER_FAILED' }], agreement) // 50
 */
export function feedbackValue(
  outcomes: readonly FeedbackOutcome[],
  agreement: Pick<Agreement, 'p95LatencyMs'>,
): number {
  const sla = agreement.p95LatencyMs
  const scores: number[] = []
  for (const outcome of outcomes) {
    if (outcome.ok)
      scores.push(sla > 0 && outcome.latencyMs !== undefined && outcome.latencyMs > sla ? 50 : 100)
    else if (outcome.code && providerFailures.has(outcome.code)) scores.push(0)
  }
  if (scores.length === 0) return 100
  return Math.round(scores.reduce((a, b) => a + b, 0) / scores.length)
}
