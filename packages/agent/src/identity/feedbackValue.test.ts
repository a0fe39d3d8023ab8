import { describe, expect, test } from 'vitest'
import { feedbackValue } from './feedbackValue.js'

describe('feedbackValue', () => {
  test('served within the agreed p95: 100; slower: 50; failed by the provider: 0; the mean, rounded', () => {
    const sla = { p95LatencyMs: 200 }
    expect(feedbackValue([{ ok: true, latencyMs: 120 }], sla)).toBe(100)
    expect(feedbackValue([{ ok: true, latencyMs: 201 }], sla)).toBe(50)
    expect(feedbackValue([{ ok: true, latencyMs: 5_000 }], { p95LatencyMs: 0 })).toBe(100)
    expect(
      feedbackValue(
        [
          { ok: true, latencyMs: 10 },
          { ok: true, latencyMs: 900 },
          { ok: false, code: 'HANDLER_TIMEOUT' },
        ],
        sla,
      ),
    ).toBe(50)
    expect(feedbackValue([{ ok: false, code: 'OUTPUT_INVALID' }, { ok: true }], sla)).toBe(50)
  })

  test("the caller's own refusals do not count; nothing to count is worth 100", () => {
    const sla = { p95LatencyMs: 200 }
    expect(
      feedbackValue(
        [
          { ok: false, code: 'INPUT_INVALID' },
          { ok: false, code: 'GATE_DENIED' },
          { ok: true, latencyMs: 300 },
        ],
        sla,
      ),
    ).toBe(50)
    expect(feedbackValue([], sla)).toBe(100)
  })
})
