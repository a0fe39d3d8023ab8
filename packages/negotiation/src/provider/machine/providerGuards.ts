import type { Accept, ConsumerMessage } from '@gotong/core'
import type { GuardArgs } from 'xstate'
import { sameAgreement } from '../../agreement/agreementFor.js'
import { outputOf } from '../../machine/outputOf.js'
import { roundsLeft, verified } from '../../machine/sharedGuards.js'
import { early } from '../../machine/timers.js'
import type { QuoteResult } from './providerActors.js'
import { messageOf } from './providerContext.js'
import type { ProviderContext, ProviderEvent, ProviderMessageEvent } from './providerTypes.js'
import { refusalOf } from './refusalOf.js'

type Args = GuardArgs<ProviderContext, ProviderEvent>

const is = (type: ConsumerMessage['type']) => (args: { event: ProviderEvent }) =>
  args.event.type === 'message' && args.event.message.type === type

/** The provider machine's guards. */
export const providerGuards = {
  early,
  isCfp: is('cfp'),
  isCounter: is('counter'),
  isAccept: is('accept'),
  isReject: is('reject'),
  /** The message arrived once the standing offer had expired, timer fired or not. */
  lapsed: ({ context, event }: Args) =>
    event.type === 'message' &&
    context.proposal !== undefined &&
    event.at >= Number(context.proposal.expiresAt) * 1000,
  refused: ({ context, event }: Args) =>
    event.type === 'message' && refusalOf(context, event as ProviderMessageEvent).reason !== 'ok',
  roundsLeft,
  /** After `quote`: terms to propose, not a decline. */
  quotedOffer: ({ event }: Args) => outputOf<QuoteResult>(event).type === 'offer',
  offerStanding: ({ context }: Args) => context.proposal !== undefined,
  verified,
  /** The accept of the agreement already countersigned, sent again. */
  isAgreedAccept: ({ context, event }: Args) =>
    is('accept')({ event }) &&
    sameAgreement((messageOf(event) as Accept).agreement, context.agreement!.agreement),
}
