import { and, cancel, setup } from 'xstate'
import { nowOf } from '../../clock.js'
import { consumerActions } from './consumerActions.js'
import { consumerActors } from './consumerActors.js'
import {
  acceptRequest,
  consumerOutput,
  counterRequest,
  decideInput,
  fundInput,
  initialContext,
  rankInput,
  settleInput,
  signInput,
  verifyInput,
} from './consumerContext.js'
import { consumerDelays } from './consumerDelays.js'
import { consumerGuards } from './consumerGuards.js'
import type {
  ConsumerContext,
  ConsumerEvent,
  ConsumerInput,
  ConsumerOutput,
} from './consumerTypes.js'

/** A state that waits (at most a request timeout) for notices in flight, then ends. */
const draining = (target: 'failed' | 'cancelled') =>
  ({
    entry: 'armDrainTimer',
    always: { guard: 'drained', target },
    on: {
      cancel: {},
      resume: { actions: 'armDrainTimer' },
      'timer.drain': { target },
    },
  }) as const

/** How a request to the current provider can fail; each drops it for the next candidate. */
const requestFailed = (stage: 'counter' | 'accept') =>
  ({
    badReply: {
      target: '#consumer.nextCandidate',
      actions: { type: 'recordReplyFailure', params: { stage } },
    },
    unreachable: {
      target: '#consumer.nextCandidate',
      actions: { type: 'recordUnreachable', params: { stage } },
    },
    timeout: {
      target: '#consumer.nextCandidate',
      actions: { type: 'recordTimeout', params: { stage } },
    },
  }) as const

/**
 * The consumer's side of a negotiation as a pure xstate machine: solicit (a call for
 * proposals to every provider, answers collected until all are in or `respondBy`) → evaluate
 * (rank) → per candidate, best first: decide → counter (bounded rounds) → sign → await the
 * countersignature → verify → fund → active → settle → done. A provider that rejects, goes
 * silent, is unreachable, lets its offer expire or changes terms drops out and the next-best
 * offer is tried. `cancel` ends it from any state.
 *
 * All I/O is injected with `.provide({ actors })`: `request` (send one message, resolve with
 * the answer), `sign`, `fund`, `settle`, and the policies `rank` and `decide`. Time comes from
 * the actor's clock (`createActor(machine, { clock })`).
 *
 * @example
 * const actor = createActor(consumerMachine.provide(consumerImplementations({ signer, send })),
 *   { input: { cfp, providers } }).start()
 */
export const consumerMachine = setup({
  types: {
    input: {} as ConsumerInput,
    context: {} as ConsumerContext,
    events: {} as ConsumerEvent,
    output: {} as ConsumerOutput,
  },
  actors: consumerActors,
  delays: consumerDelays,
  actions: consumerActions,
  guards: consumerGuards,
}).createMachine({
  id: 'consumer',
  context: ({ input }) => initialContext(input),
  initial: 'soliciting',
  on: {
    'xstate.done.actor.*': { guard: 'isNotice', actions: 'noticeSettled' },
    'xstate.error.actor.*': { guard: 'isNotice', actions: 'noticeSettled' },
    cancel: { target: '.cancelling', actions: ['notifyCancelled', 'markCancelled'] },
  },
  states: {
    soliciting: {
      entry: ['solicit', 'armSolicitTimer'],
      exit: ['stopSolicits', cancel('solicit')],
      always: { guard: 'allAnswered', target: 'evaluating' },
      on: {
        'xstate.done.actor.*': { guard: 'isSolicitAnswer', actions: 'recordSolicitAnswer' },
        'xstate.error.actor.*': { guard: 'isSolicitAnswer', actions: 'recordSolicitError' },
        'timer.solicit': [
          { guard: 'early', actions: 'armSolicitTimer' },
          { target: 'evaluating', actions: 'recordSilent' },
        ],
        resume: { actions: 'armSolicitTimer' },
      },
    },

    evaluating: {
      invoke: {
        src: 'rank',
        input: ({ context, self }) => rankInput(context, nowOf(self.system)),
        onDone: [
          { guard: 'someRanked', target: 'negotiating', actions: 'takeCandidates' },
          {
            guard: 'someOffered',
            target: 'failing',
            actions: {
              type: 'fail',
              params: { reason: 'no_acceptable_offer', message: 'No offer met the constraints' },
            },
          },
          {
            guard: 'allRefused',
            target: 'failing',
            actions: {
              type: 'fail',
              params: { reason: 'all_rejected', message: 'Every provider rejected the call' },
            },
          },
          {
            target: 'failing',
            actions: {
              type: 'fail',
              params: { reason: 'no_offers', message: 'No provider made an offer' },
            },
          },
        ],
        onError: {
          target: 'failing',
          actions: {
            type: 'fail',
            params: { reason: 'no_acceptable_offer', message: 'Ranking the offers failed' },
          },
        },
      },
    },

    negotiating: {
      initial: 'deciding',
      exit: [cancel('offer'), cancel('request')],
      on: { resume: { actions: 'armOfferTimer' } },
      states: {
        deciding: {
          entry: 'armOfferTimer',
          invoke: {
            src: 'decide',
            input: ({ context, self }) => decideInput(context, nowOf(self.system)),
            onDone: [
              { guard: 'decidedAccept', target: 'signing', actions: 'draftAgreement' },
              {
                guard: and(['decidedCounter', 'roundsLeft']),
                target: 'countering',
                actions: 'takeCounterTerms',
              },
              { target: '#consumer.nextCandidate', actions: 'recordDeclined' },
            ],
            onError: { target: '#consumer.nextCandidate', actions: 'recordStrategyFailed' },
          },
          on: {
            'timer.offer': [
              { guard: 'early', actions: 'armOfferTimer' },
              { target: '#consumer.nextCandidate', actions: 'recordExpired' },
            ],
          },
        },

        countering: {
          entry: 'armRequestTimer',
          invoke: {
            id: 'counter',
            src: 'request',
            input: ({ context }) => counterRequest(context),
            onDone: [
              { guard: 'isProposal', target: 'deciding', actions: 'takeProposal' },
              requestFailed('counter').badReply,
            ],
            onError: requestFailed('counter').unreachable,
          },
          on: {
            // The counter asks for a new offer: the old one lapsing meanwhile is no failure.
            'timer.offer': {},
            'timer.request': requestFailed('counter').timeout,
            resume: { actions: 'armRequestTimer' },
          },
        },

        signing: {
          invoke: {
            src: 'sign',
            input: ({ context }) => signInput(context),
            onDone: { target: 'awaitingCountersign', actions: 'takeSignature' },
            onError: {
              target: '#consumer.failing',
              actions: {
                type: 'fail',
                params: { reason: 'signing_failed', message: 'Signing the agreement failed' },
              },
            },
          },
          on: {
            'timer.offer': [
              { guard: 'early', actions: 'armOfferTimer' },
              { target: '#consumer.nextCandidate', actions: 'recordExpired' },
            ],
          },
        },

        awaitingCountersign: {
          entry: 'armRequestTimer',
          invoke: {
            id: 'accept',
            src: 'request',
            input: ({ context }) => acceptRequest(context),
            onDone: [
              { guard: 'isCountersign', target: 'verifying', actions: 'takeCountersignature' },
              requestFailed('accept').badReply,
            ],
            onError: requestFailed('accept').unreachable,
          },
          on: {
            'timer.offer': [
              { guard: 'early', actions: 'armOfferTimer' },
              { target: '#consumer.nextCandidate', actions: 'recordExpired' },
            ],
            'timer.request': requestFailed('accept').timeout,
            resume: { actions: ['armOfferTimer', 'armRequestTimer'] },
          },
        },

        verifying: {
          invoke: {
            src: 'verify',
            input: ({ context }) => verifyInput(context),
            onDone: [
              { guard: 'verified', target: '#consumer.funding', actions: 'sealAgreement' },
              {
                target: '#consumer.nextCandidate',
                actions: {
                  type: 'recordInvalidSignature',
                  params: { message: 'the countersignature is not the payee’s' },
                },
              },
            ],
            onError: {
              target: '#consumer.nextCandidate',
              actions: {
                type: 'recordInvalidSignature',
                params: { message: 'the countersignature could not be checked' },
              },
            },
          },
          // Countersigned in time: the offer lapsing now changes nothing.
          on: { 'timer.offer': {} },
        },
      },
    },

    nextCandidate: {
      entry: 'dropCandidate',
      always: [
        { guard: 'hasNextCandidate', target: 'negotiating', actions: 'takeNextCandidate' },
        {
          target: 'failing',
          actions: {
            type: 'fail',
            params: { reason: 'all_rejected', message: 'No provider reached an agreement' },
          },
        },
      ],
    },

    funding: {
      invoke: {
        src: 'fund',
        input: ({ context }) => fundInput(context),
        onDone: [
          { guard: 'cancelRequested', target: 'settling', actions: 'takeFunding' },
          { target: 'active', actions: 'takeFunding' },
        ],
        onError: {
          target: 'failing',
          actions: {
            type: 'fail',
            params: { reason: 'funding_failed', message: 'Funding the channel failed' },
          },
        },
      },
      // An open or top-up in flight finishes first; settling then returns what it can.
      on: { cancel: { actions: 'markCancelled' } },
    },

    active: {
      entry: 'armAgreementTimer',
      exit: cancel('agreement'),
      on: {
        settle: 'settling',
        cancel: { target: 'settling', actions: 'markCancelled' },
        'timer.agreement': [
          { guard: 'early', actions: 'armAgreementTimer' },
          { target: 'settling' },
        ],
        resume: { actions: 'armAgreementTimer' },
      },
    },

    settling: {
      invoke: {
        src: 'settle',
        input: ({ context }) => settleInput(context),
        onDone: { target: 'done', actions: 'takeSettlement' },
        onError: {
          target: 'failing',
          actions: {
            type: 'fail',
            params: { reason: 'settle_failed', message: 'Settling the channel failed' },
          },
        },
      },
      on: { cancel: { actions: 'markCancelled' } },
    },

    // Ending waits for notices in flight: a final state would stop them unsent.
    failing: draining('failed'),
    cancelling: draining('cancelled'),
    done: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
  },
  output: ({ context }) => consumerOutput(context),
})
