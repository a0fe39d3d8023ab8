import { classify } from './classify.js'
import { currentProvider } from './consumerContext.js'
import type { ConsumerContext, FailureStage, ProviderFailure } from './consumerTypes.js'

/** Why a provider's answer ends its candidacy: its reject, or what was wrong with the answer. */
export function failureOf(
  context: ConsumerContext,
  stage: FailureStage,
  raw: unknown,
  provider = currentProvider(context),
): ProviderFailure {
  const reply = classify(context, raw)
  if (reply.kind === 'reject')
    return {
      provider,
      stage,
      reason: reply.reject.reason,
      ...(reply.reject.message ? { message: reply.reject.message } : {}),
    }
  if (reply.kind === 'mismatch')
    return { provider, stage, reason: 'terms_mismatch', message: reply.message }
  if (reply.kind === 'invalid')
    return { provider, stage, reason: 'invalid_reply', message: reply.message }
  return { provider, stage, reason: 'invalid_reply', message: `unexpected ${reply.kind}` }
}

/** A provider the request could not reach (or whose transport failed). */
export const unreachable = (
  provider: string,
  stage: FailureStage,
  error: unknown,
): ProviderFailure => ({
  provider,
  stage,
  reason: 'unreachable',
  message: error instanceof Error ? error.message : String(error),
})
