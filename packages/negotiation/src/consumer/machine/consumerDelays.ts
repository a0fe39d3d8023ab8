import { agreementExpiry, delayUntil, offerExpiry } from '../../machine/timers.js'
import type { ConsumerContext } from './consumerTypes.js'

type DelayArgs = { context: ConsumerContext; system: Parameters<typeof delayUntil>[0] }

/** The consumer machine's named delays. */
export const consumerDelays = {
  solicitWindow: ({ context, system }: DelayArgs) => delayUntil(system, context.cfp.respondBy),
  offerExpiry,
  requestTimeout: ({ context }: DelayArgs) => context.requestTimeoutMs,
  agreementExpiry,
}

/** A consumer timer's delay name. */
export type ConsumerDelay = keyof typeof consumerDelays
