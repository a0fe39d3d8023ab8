/** How a call is paid: a gotong payment channel, or one x402 `exact` transfer. */
export type Rail = 'channel' | 'x402'

/** Why the rail was chosen, as a stable code (the `reason` says it in words). */
export type RailReasonCode =
  | 'only_channel'
  | 'only_x402'
  | 'channel_open'
  | 'calls_unknown'
  | 'many_calls'
  | 'few_calls'

/** The rail chosen for a call, and why. */
export type RailChoice = { rail: Rail; code: RailReasonCode; reason: string }

/** The default of `channelFrom`: from this many expected calls a channel pays for itself. */
export const defaultChannelFrom = 3

export type ChooseRailParameters = {
  /** The rails the listing offers. */
  offers: { channel: boolean; x402: boolean }
  /** Calls the consumer expects to make of this tool; undefined if it did not say. */
  expectedCalls?: number | undefined
  /** From how many expected calls a channel is worth negotiating (default 3). */
  channelFrom?: number | undefined
  /** A funded channel for this tool is already open: its calls cost no setup. */
  channelOpen?: boolean | undefined
}

/**
 * The rail policy. A channel costs a negotiation and two transactions (open, close) once, then
 * a signature per call; x402 costs one settled transfer per call and nothing up front. So a
 * consumer expecting at least `channelFrom` calls (default 3) negotiates a channel, a one-off
 * call pays with x402, an open channel is always used, and a consumer that did not say how many
 * calls it expects keeps to channels, the rail made for repeated calls.
 *
 * @example chooseRail({ offers: { channel: true, x402: true }, expectedCalls: 1 }) // { rail: 'x402', code: 'few_calls', … }
 */
export function chooseRail(parameters: ChooseRailParameters): RailChoice {
  const { offers, expectedCalls } = parameters
  const from = parameters.channelFrom ?? defaultChannelFrom
  if (!offers.x402)
    return { rail: 'channel', code: 'only_channel', reason: 'the listing offers only a channel' }
  if (!offers.channel)
    return { rail: 'x402', code: 'only_x402', reason: 'the listing offers only x402' }
  if (parameters.channelOpen)
    return {
      rail: 'channel',
      code: 'channel_open',
      reason: 'a funded channel to this tool is already open',
    }
  if (expectedCalls === undefined)
    return {
      rail: 'channel',
      code: 'calls_unknown',
      reason: `no expected number of calls was given; a channel serves repeated calls (x402 from fewer than ${from})`,
    }
  const calls = `${expectedCalls} expected call${expectedCalls === 1 ? '' : 's'}`
  return expectedCalls >= from
    ? {
        rail: 'channel',
        code: 'many_calls',
        reason: `${calls} ≥ ${from}: a channel's one-time setup is paid back by calls without a transaction each`,
      }
    : {
        rail: 'x402',
        code: 'few_calls',
        reason: `${calls} < ${from}: one x402 transfer per call costs less than opening and closing a channel`,
      }
}
