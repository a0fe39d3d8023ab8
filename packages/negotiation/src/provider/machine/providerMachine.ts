import { and, cancel, not, or, setup } from 'xstate'
import { nowOf } from '../../clock.js'
import { rejection } from '../../machine/rejection.js'
import { providerActions } from './providerActions.js'
import { providerActors } from './providerActors.js'
import {
  initialContext,
  providerOutput,
  quoteInput,
  signInput,
  verifyInput,
} from './providerContext.js'
import { providerDelays } from './providerDelays.js'
import { providerGuards } from './providerGuards.js'
import { countersignature, declined, refusal, replyLater, replyNow } from './providerReplies.js'
import type {
  ProviderContext,
  ProviderEvent,
  ProviderInput,
  ProviderOutput,
  ProviderReply,
} from './providerTypes.js'

/**
 * The provider's side of one negotiation as a pure xstate machine: quote (pricing policy) →
 * offered (await the answer until the offer expires; counters go back to quoting, bounded) →
 * verify the consumer's signature → countersign → serving until the agreement's
 * `validUntil` → ended. Every message gets exactly one `reply` (emitted, paired by id); ones
 * that break the rules are refused with a reason: `expired`, `replayed`, `terms_mismatch`,
 * `invalid_signature`, `not_found`.
 *
 * I/O is injected with `.provide({ actors })`: `quote` (pricing) and `sign`. Time comes from
 * the actor's clock; each message carries its arrival time `at` from the same clock.
 *
 * @example
 * const actor = createActor(providerMachine.provide({ actors: { quote, sign } }),
 *   { input: { cfp, offer, requestId: '1' } })
 * actor.on('reply', ({ message }) => respond(message))
 */
export const providerMachine = setup({
  types: {
    input: {} as ProviderInput,
    context: {} as ProviderContext,
    events: {} as ProviderEvent,
    emitted: {} as ProviderReply,
    output: {} as ProviderOutput,
  },
  actors: providerActors,
  delays: providerDelays,
  actions: providerActions,
  guards: providerGuards,
}).createMachine({
  id: 'provider',
  context: ({ input }) => initialContext(input),
  initial: 'quoting',
  on: {
    // Only reached while quoting, verifying or signing: the answer to the last message is
    // still being worked out, and the caller should wait for it before sending another.
    message: {
      actions: replyNow((context) =>
        rejection(context, 'unavailable', 'still answering the previous message'),
      ),
    },
  },
  states: {
    quoting: {
      invoke: {
        src: 'quote',
        input: ({ context, self }) => quoteInput(context, nowOf(self.system)),
        onDone: [
          {
            guard: 'quotedOffer',
            target: 'offered',
            actions: ['issueProposal', replyLater((context) => context.proposal!), 'replied'],
          },
          {
            guard: 'offerStanding',
            // A counter the policy will not meet: the standing offer still stands.
            target: 'offered',
            actions: [replyLater(declined), 'replied'],
          },
          { target: 'declined', actions: replyLater(declined) },
        ],
        onError: [
          {
            guard: 'offerStanding',
            target: 'offered',
            actions: [
              replyLater((context) => rejection(context, 'unavailable', 'quoting failed')),
              'replied',
            ],
          },
          {
            target: 'declined',
            actions: replyLater((context) => rejection(context, 'unavailable', 'quoting failed')),
          },
        ],
      },
    },

    offered: {
      entry: 'armOfferTimer',
      exit: cancel('offer'),
      on: {
        message: [
          {
            guard: 'isReject',
            target: 'rejected',
            actions: replyNow((context) => rejection(context, 'closed', 'negotiation closed')),
          },
          {
            guard: 'lapsed',
            target: 'expired',
            actions: replyNow((context) => rejection(context, 'expired', 'the offer has expired')),
          },
          // The same call for proposals again (a retry): the standing offer.
          { guard: 'isCfp', actions: replyNow((context) => context.proposal!) },
          { guard: 'refused', actions: replyNow(refusal) },
          {
            guard: and(['isCounter', not('roundsLeft')]),
            actions: replyNow((context) =>
              rejection(context, 'declined', `no more than ${context.maxRounds} counters`),
            ),
          },
          { guard: 'isCounter', target: 'quoting', actions: 'takeCounter' },
          { guard: 'isAccept', target: 'verifyingAccept', actions: 'takeAccept' },
        ],
        'timer.offer': [{ guard: 'early', actions: 'armOfferTimer' }, { target: 'expired' }],
        resume: { actions: 'armOfferTimer' },
      },
    },

    verifyingAccept: {
      invoke: {
        src: 'verify',
        input: ({ context }) => verifyInput(context),
        onDone: [
          { guard: 'verified', target: 'countersigning' },
          {
            target: 'offered',
            actions: [
              replyLater((context) =>
                rejection(context, 'invalid_signature', 'not signed by the consumer'),
              ),
              'dropAccept',
            ],
          },
        ],
        onError: {
          target: 'offered',
          actions: [
            replyLater((context) =>
              rejection(context, 'invalid_signature', 'the signature could not be checked'),
            ),
            'dropAccept',
          ],
        },
      },
    },

    countersigning: {
      invoke: {
        src: 'sign',
        input: ({ context }) => signInput(context),
        onDone: {
          target: 'serving',
          actions: ['sealAgreement', replyLater(countersignature), 'replied'],
        },
        onError: {
          target: 'offered',
          actions: [
            replyLater((context) => rejection(context, 'unavailable', 'countersigning failed')),
            'dropAccept',
          ],
        },
      },
    },

    serving: {
      entry: 'armAgreementTimer',
      exit: cancel('agreement'),
      on: {
        message: [
          {
            guard: 'isReject',
            target: 'ended',
            actions: replyNow((context) => rejection(context, 'closed', 'negotiation closed')),
          },
          {
            guard: 'isAgreedAccept',
            actions: replyNow((context) =>
              rejection(context, 'replayed', 'this agreement was already countersigned'),
            ),
          },
          {
            guard: or(['isAccept', 'isCounter']),
            actions: replyNow((context) =>
              rejection(context, 'terms_mismatch', 'the terms were agreed and cannot change'),
            ),
          },
          {
            actions: replyNow((context) =>
              rejection(context, 'replayed', 'this call for proposals was already agreed'),
            ),
          },
        ],
        close: 'ended',
        'timer.agreement': [{ guard: 'early', actions: 'armAgreementTimer' }, { target: 'ended' }],
        resume: { actions: 'armAgreementTimer' },
      },
    },

    declined: { type: 'final', entry: { type: 'recordStatus', params: { status: 'declined' } } },
    expired: { type: 'final', entry: { type: 'recordStatus', params: { status: 'expired' } } },
    rejected: { type: 'final', entry: { type: 'recordStatus', params: { status: 'rejected' } } },
    ended: { type: 'final', entry: { type: 'recordStatus', params: { status: 'ended' } } },
  },
  output: ({ context }) => providerOutput(context),
})
