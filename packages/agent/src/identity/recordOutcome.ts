import type { Hex } from 'viem'
import type { AgentContext } from '../agent/agentContext.js'
import type { ConsumerEvent } from '../consumer/types.js'
import { rateChannel } from './giveFeedback.js'

/** Outcomes kept per channel until rated: a long run without feedback keeps only the newest. */
const keptPerChannel = 1_000

/**
 * Records a paid channel call's outcome for the channel's next feedback; with a feedback policy,
 * a full batch is rated in the background (its result goes to `onFeedback`). A free call is not
 * recorded: there is nothing paid to back a feedback.
 */
export function recordOutcome(agent: AgentContext, event: ConsumerEvent): void {
  if (event.type !== 'call' || event.rail !== 'channel' || !event.channelId) return
  if (event.ok && event.price === 0n) return
  const { outcomes } = agent.state.identity
  const kept = outcomes.get(event.channelId) ?? []
  kept.push({
    ok: event.ok,
    ...(event.code ? { code: event.code } : {}),
    ...(event.latencyMs !== undefined ? { latencyMs: event.latencyMs } : {}),
  })
  if (kept.length > keptPerChannel) kept.shift()
  outcomes.set(event.channelId, kept)
  rateIfFull(agent, event.channelId)
}

/** Rates a channel whose batch is full, unless one of its ratings is under way (it re-checks after). */
function rateIfFull(agent: AgentContext, channelId: Hex): void {
  const policy = agent.parameters.feedback
  const { outcomes, rating } = agent.state.identity
  if (!policy || agent.state.stopped || rating.has(channelId)) return
  const batch = (policy === true ? undefined : policy.batch) ?? 10
  if ((outcomes.get(channelId)?.length ?? 0) < batch) return
  const onFeedback = policy === true ? undefined : policy.onFeedback
  rateChannel(agent, channelId, {}, false)
    .then(
      (result) => onFeedback?.(result),
      (error: unknown) => onFeedback?.({ given: false, channelId, reason: 'failed', error }),
    )
    // Calls made while it was under way may have filled the next batch.
    .finally(() => queueMicrotask(() => rateIfFull(agent, channelId)))
}
