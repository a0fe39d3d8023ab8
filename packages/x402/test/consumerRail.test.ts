import { describe, expect, test } from 'vitest'
import { chooseRail } from '../src/index.js'

const both = { channel: true, x402: true }

describe('the rail policy', () => {
  test('a one-off call pays with x402; from three expected calls a channel is negotiated', () => {
    expect(chooseRail({ offers: both, expectedCalls: 1 })).toEqual({
      rail: 'x402',
      code: 'few_calls',
      reason:
        '1 expected call < 3: one x402 transfer per call costs less than opening and closing a channel',
    })
    expect(chooseRail({ offers: both, expectedCalls: 2 }).rail).toBe('x402')
    expect(chooseRail({ offers: both, expectedCalls: 3 })).toEqual({
      rail: 'channel',
      code: 'many_calls',
      reason:
        "3 expected calls ≥ 3: a channel's one-time setup is paid back by calls without a transaction each",
    })
  })

  test('the threshold is a policy option', () => {
    expect(chooseRail({ offers: both, expectedCalls: 5, channelFrom: 10 }).rail).toBe('x402')
    expect(chooseRail({ offers: both, expectedCalls: 1, channelFrom: 1 }).rail).toBe('channel')
  })

  test('an open channel is used whatever the count; a count not given keeps to channels', () => {
    expect(chooseRail({ offers: both, expectedCalls: 1, channelOpen: true }).code).toBe(
      'channel_open',
    )
    expect(chooseRail({ offers: both }).code).toBe('calls_unknown')
  })

  test('a listing with one rail gets that rail', () => {
    expect(
      chooseRail({ offers: { channel: false, x402: true }, expectedCalls: 100 }),
    ).toMatchObject({ rail: 'x402', code: 'only_x402' })
    expect(chooseRail({ offers: { channel: true, x402: false }, expectedCalls: 1 })).toMatchObject({
      rail: 'channel',
      code: 'only_channel',
    })
  })
})
