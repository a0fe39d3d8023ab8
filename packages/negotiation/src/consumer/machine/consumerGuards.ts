import type { GuardArgs } from 'xstate'
import { outputOf } from '../../machine/outputOf.js'
import { roundsLeft, verified } from '../../machine/sharedGuards.js'
import { early } from '../../machine/timers.js'
import type { RankedOffer } from '../../scoring/rankOffers.js'
import { classify } from './classify.js'
import type { Decision } from './consumerActors.js'
import { solicitIndex } from './consumerContext.js'
import type { ConsumerContext, ConsumerEvent } from './consumerTypes.js'

type Args = GuardArgs<ConsumerContext, ConsumerEvent>

/** The consumer machine's guards. */
export const consumerGuards = {
  isNotice: ({ context, event }: Args) =>
    context.outstanding.includes(String((event as { actorId?: unknown }).actorId)),
  drained: ({ context }: Args) => context.outstanding.length === 0,
  isSolicitAnswer: ({ context, event }: Args) => solicitIndex(event, context) !== undefined,
  allAnswered: ({ context }: Args) => context.answered.length >= context.providers.length,
  early,
  /** After `rank`: some offer met the constraints. */
  someRanked: ({ event }: Args) => outputOf<RankedOffer[]>(event).length > 0,
  someOffered: ({ context }: Args) => context.offers.length > 0,
  /** Some provider answered, and every one that dropped out refused (none was silent or broken). */
  allRefused: ({ context }: Args) =>
    context.answered.length > 0 &&
    context.failures.length > 0 &&
    context.failures.every(
      (f) => f.reason !== 'unreachable' && f.reason !== 'timeout' && f.reason !== 'invalid_reply',
    ),
  decidedAccept: ({ event }: Args) => outputOf<Decision>(event).type === 'accept',
  decidedCounter: ({ event }: Args) => outputOf<Decision>(event).type === 'counter',
  roundsLeft,
  /** After a counter: the provider answered with its next proposal. */
  isProposal: ({ context, event }: Args) => classify(context, outputOf(event)).kind === 'proposal',
  /** After an accept: the provider countersigned the terms accepted. */
  isCountersign: ({ context, event }: Args) =>
    classify(context, outputOf(event)).kind === 'countersign',
  verified,
  hasNextCandidate: ({ context }: Args) => context.current + 1 < context.candidates.length,
  cancelRequested: ({ context }: Args) => context.cancelled,
}
