import {
  type Accept,
  type CallForProposals,
  type ChannelRequirements,
  type ConsumerMessage,
  type CounterProposal,
  hashAgreement,
  type NegotiatedTool,
  type Proposal,
  type ProviderMessage,
  type Reject,
  type RejectReason,
  type SignedAgreement,
  type Terms,
} from '@gotong/core'
import type { Address, Hex } from 'viem'
import { assign, emit, enqueueActions, fromPromise, setup } from 'xstate'
import {
  agreementDomain,
  agreementFor,
  proposalIdFor,
  sameAgreement,
} from '../agreement/agreementFor.js'
import type { SignAgreementParameters } from '../agreement/signAgreement.js'
import { type VerifyAgreementParameters, verifyAgreement } from '../agreement/verifyAgreement.js'
import { maxTimerDelay, msUntil, nowOf, toUnixSeconds } from '../clock.js'
import { NegotiationError } from '../errors.js'

/** What a provider offers whatever the price: who is paid, for which tool, through which channels. */
export type ProviderOffer = {
  /** The provider's address: it countersigns and is paid. */
  payee: Address
  tool: NegotiatedTool
  channel: ChannelRequirements
  /** How long each proposal stands, in seconds. */
  offerTtl: number
}

/** What starts a provider negotiation: the call for proposals that opened it. */
export type ProviderInput = {
  cfp: CallForProposals
  offer: ProviderOffer
  /** Counters answered before the provider stops conceding. Default 3. */
  maxRounds?: number
  /** Id of the message carrying the cfp; the first reply echoes it. */
  requestId: string
}

export type QuoteInput = {
  cfp: CallForProposals
  /** 0 for the call for proposals, n for the n-th counter. */
  round: number
  counter: CounterProposal | undefined
  /** The terms of the standing proposal, when answering a counter. */
  previous: Terms | undefined
  /** Unix milliseconds. */
  now: number
}

/** A quote: the terms to propose, or why not. */
export type QuoteResult =
  | { type: 'offer'; terms: Terms }
  | { type: 'decline'; reason: RejectReason; message?: string }

/** How a provider negotiation ended. */
export type ProviderOutput = {
  status: 'declined' | 'expired' | 'rejected' | 'ended'
  proposal: Proposal | undefined
  agreement: SignedAgreement | undefined
}

export type ProviderContext = {
  cfp: CallForProposals
  offer: ProviderOffer
  maxRounds: number
  round: number
  proposal: Proposal | undefined
  /** Every proposal id issued, so a stale accept is told from an unknown one. */
  issued: Hex[]
  counter: CounterProposal | undefined
  accept: Accept | undefined
  /** The message awaiting an answer while the provider quotes, verifies or signs. */
  replyTo: string | undefined
  agreement: SignedAgreement | undefined
  status: ProviderOutput['status'] | undefined
}

type TimerEvent = { type: 'timer.offer' | 'timer.agreement'; early: boolean }

/** A consumer's message as the provider machine takes it: with an id and its arrival time. */
export type ProviderMessageEvent = {
  type: 'message'
  /** Echoed on the reply, so the caller can pair them. */
  id: string
  /** Arrival time, unix ms, from the same clock as the machine's. */
  at: number
  message: ConsumerMessage
}

/** Events a provider negotiation takes from outside. */
export type ProviderEvent =
  | ProviderMessageEvent
  /** The host ends a served agreement (channel closed, service withdrawn). */
  | { type: 'close' }
  /** Send after restoring from a snapshot: re-arms timers (lapsed ones fire at once). */
  | { type: 'resume' }
  | TimerEvent

/** Every answer the machine gives, paired with the message it answers. */
export type ProviderReply = { type: 'reply'; id: string; message: ProviderMessage }

const notProvided = (what: string) =>
  new NegotiationError('ACTOR_NOT_PROVIDED', `The provider machine needs a "${what}" actor`, {
    metaMessages: ['Provide it with providerMachine.provide({ actors: { ... } }).'],
  })

const messageOf = (event: ProviderEvent) => (event as ProviderMessageEvent).message
const is = (type: ConsumerMessage['type']) => (args: { event: ProviderEvent }) =>
  args.event.type === 'message' && args.event.message.type === type

function rejection(context: ProviderContext, reason: RejectReason, message: string): Reject {
  return {
    type: 'reject',
    cfpId: context.cfp.cfpId,
    ...(context.proposal ? { proposalId: context.proposal.proposalId } : {}),
    reason,
    message,
  }
}

type ReplyArgs = { context: ProviderContext; event: unknown }

/** The answer to the message in the current event. */
const replyNow = (
  build: (context: ProviderContext, event: ProviderMessageEvent) => ProviderMessage,
) => ({
  type: 'reply' as const,
  params: ({ context, event }: ReplyArgs) => ({
    id: (event as ProviderMessageEvent).id,
    message: build(context, event as ProviderMessageEvent),
  }),
})

/** The answer to the message that started the current step (quoting, verifying, signing). */
const replyLater = (build: (context: ProviderContext, event: unknown) => ProviderMessage) => ({
  type: 'reply' as const,
  params: ({ context, event }: ReplyArgs) => ({
    id: context.replyTo ?? '',
    message: build(context, event),
  }),
})

/** The quote's own reason for declining. */
const declined = (context: ProviderContext, event: unknown) => {
  const output = (event as { output: QuoteResult }).output
  return output.type === 'decline'
    ? rejection(context, output.reason, output.message ?? 'no offer for this call')
    : rejection(context, 'declined', 'no offer for this call')
}

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
  actors: {
    quote: fromPromise<QuoteResult, QuoteInput>(async () => {
      throw notProvided('quote')
    }),
    sign: fromPromise<Hex, SignAgreementParameters>(async () => {
      throw notProvided('sign')
    }),
    verify: fromPromise<boolean, VerifyAgreementParameters>(({ input }) => verifyAgreement(input)),
  },
  delays: {
    offerExpiry: ({ context, system }) =>
      Math.min(maxTimerDelay, msUntil(system, context.proposal?.expiresAt ?? 0n)),
    agreementExpiry: ({ context, system }) =>
      Math.min(maxTimerDelay, msUntil(system, context.agreement?.agreement.validUntil ?? 0n)),
  },
  actions: {
    armOfferTimer: enqueueActions(({ enqueue, context, system }) => {
      enqueue.cancel('offer')
      const early = msUntil(system, context.proposal?.expiresAt ?? 0n) > maxTimerDelay
      enqueue.raise({ type: 'timer.offer', early }, { id: 'offer', delay: 'offerExpiry' })
    }),
    armAgreementTimer: enqueueActions(({ enqueue, context, system }) => {
      enqueue.cancel('agreement')
      const validUntil = context.agreement?.agreement.validUntil ?? 0n
      const early = msUntil(system, validUntil) > maxTimerDelay
      enqueue.raise(
        { type: 'timer.agreement', early },
        { id: 'agreement', delay: 'agreementExpiry' },
      )
    }),
    reply: emit((_, params: { id: string; message: ProviderMessage }) => ({
      type: 'reply' as const,
      ...params,
    })),
  },
  guards: {
    early: ({ event }) => (event as TimerEvent).early,
    isCfp: is('cfp'),
    isCounter: is('counter'),
    isAccept: is('accept'),
    isReject: is('reject'),
    lapsed: ({ context, event }) =>
      event.type === 'message' &&
      context.proposal !== undefined &&
      event.at >= Number(context.proposal.expiresAt) * 1000,
    refused: ({ context, event }) =>
      event.type === 'message' && refusalOf(context, event as ProviderMessageEvent).reason !== 'ok',
    roundsLeft: ({ context }) => context.round < context.maxRounds,
  },
}).createMachine({
  id: 'provider',
  context: ({ input }) => ({
    cfp: input.cfp,
    offer: input.offer,
    maxRounds: input.maxRounds ?? 3,
    round: 0,
    proposal: undefined,
    issued: [],
    counter: undefined,
    accept: undefined,
    replyTo: input.requestId,
    agreement: undefined,
    status: undefined,
  }),
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
        input: ({ context, self }) => ({
          cfp: context.cfp,
          round: context.round,
          counter: context.counter,
          previous: context.proposal?.terms,
          now: nowOf(self.system),
        }),
        onDone: [
          {
            guard: ({ event }) => event.output.type === 'offer',
            target: 'offered',
            actions: [
              assign(({ context, event, self }) => {
                const { offer, cfp, round } = context
                const proposal: Proposal = {
                  type: 'proposal',
                  cfpId: cfp.cfpId,
                  proposalId: proposalIdFor(cfp.cfpId, offer.payee, round),
                  round,
                  payee: offer.payee,
                  tool: offer.tool,
                  terms: (event.output as { terms: Terms }).terms,
                  channel: offer.channel,
                  expiresAt: toUnixSeconds(nowOf(self.system)) + BigInt(offer.offerTtl),
                }
                return { proposal, issued: [...context.issued, proposal.proposalId] }
              }),
              replyLater((context) => context.proposal!),
              assign({ replyTo: undefined }),
            ],
          },
          {
            guard: ({ context }) => context.proposal !== undefined,
            // A counter the policy will not meet: the standing offer still stands.
            target: 'offered',
            actions: [replyLater(declined), assign({ replyTo: undefined })],
          },
          {
            target: 'declined',
            actions: replyLater(declined),
          },
        ],
        onError: [
          {
            guard: ({ context }) => context.proposal !== undefined,
            target: 'offered',
            actions: [
              replyLater((context) => rejection(context, 'unavailable', 'quoting failed')),
              assign({ replyTo: undefined }),
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
      exit: enqueueActions(({ enqueue }) => enqueue.cancel('offer')),
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
          {
            guard: 'refused',
            actions: replyNow((context, event) => {
              const { reason, message } = refusalOf(context, event)
              return rejection(context, reason === 'ok' ? 'invalid_input' : reason, message)
            }),
          },
          {
            guard: ({ context, event }) =>
              is('counter')({ event }) && !(context.round < context.maxRounds),
            actions: replyNow((context) =>
              rejection(context, 'declined', `no more than ${context.maxRounds} counters`),
            ),
          },
          {
            guard: 'isCounter',
            target: 'quoting',
            actions: assign(({ context, event }) => ({
              counter: messageOf(event) as CounterProposal,
              round: context.round + 1,
              replyTo: (event as ProviderMessageEvent).id,
            })),
          },
          {
            guard: 'isAccept',
            target: 'verifyingAccept',
            actions: assign(({ event }) => ({
              accept: messageOf(event) as Accept,
              replyTo: (event as ProviderMessageEvent).id,
            })),
          },
        ],
        'timer.offer': [{ guard: 'early', actions: 'armOfferTimer' }, { target: 'expired' }],
        resume: { actions: 'armOfferTimer' },
      },
    },

    verifyingAccept: {
      invoke: {
        src: 'verify',
        input: ({ context }) => ({
          agreement: context.accept!.agreement,
          domain: agreementDomain(context.cfp, context.proposal!),
          signature: context.accept!.signature,
          signer: context.cfp.consumer,
        }),
        onDone: [
          { guard: ({ event }) => event.output, target: 'countersigning' },
          {
            target: 'offered',
            actions: [
              replyLater((context) =>
                rejection(context, 'invalid_signature', 'not signed by the consumer'),
              ),
              assign({ accept: undefined, replyTo: undefined }),
            ],
          },
        ],
        onError: {
          target: 'offered',
          actions: [
            replyLater((context) =>
              rejection(context, 'invalid_signature', 'the signature could not be checked'),
            ),
            assign({ accept: undefined, replyTo: undefined }),
          ],
        },
      },
    },

    countersigning: {
      invoke: {
        src: 'sign',
        input: ({ context }) => ({
          agreement: context.accept!.agreement,
          domain: agreementDomain(context.cfp, context.proposal!),
        }),
        onDone: {
          target: 'serving',
          actions: [
            assign(({ context, event }) => {
              const domain = agreementDomain(context.cfp, context.proposal!)
              const { agreement, signature } = context.accept!
              return {
                agreement: {
                  agreement,
                  chainId: domain.chainId,
                  verifyingContract: domain.verifyingContract,
                  termsHash: hashAgreement(agreement, domain),
                  consumerSignature: signature,
                  providerSignature: event.output,
                },
              }
            }),
            replyLater((context) => ({
              type: 'countersign',
              cfpId: context.cfp.cfpId,
              proposalId: context.proposal!.proposalId,
              termsHash: context.agreement!.termsHash,
              signature: context.agreement!.providerSignature,
            })),
            assign({ replyTo: undefined }),
          ],
        },
        onError: {
          target: 'offered',
          actions: [
            replyLater((context) => rejection(context, 'unavailable', 'countersigning failed')),
            assign({ accept: undefined, replyTo: undefined }),
          ],
        },
      },
    },

    serving: {
      entry: 'armAgreementTimer',
      exit: enqueueActions(({ enqueue }) => enqueue.cancel('agreement')),
      on: {
        message: [
          {
            guard: 'isReject',
            target: 'ended',
            actions: replyNow((context) => rejection(context, 'closed', 'negotiation closed')),
          },
          {
            guard: ({ context, event }) =>
              is('accept')({ event }) &&
              sameAgreement((messageOf(event) as Accept).agreement, context.agreement!.agreement),
            actions: replyNow((context) =>
              rejection(context, 'replayed', 'this agreement was already countersigned'),
            ),
          },
          {
            guard: ({ event }) => is('accept')({ event }) || is('counter')({ event }),
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

    declined: { type: 'final', entry: assign({ status: 'declined' }) },
    expired: { type: 'final', entry: assign({ status: 'expired' }) },
    rejected: { type: 'final', entry: assign({ status: 'rejected' }) },
    ended: { type: 'final', entry: assign({ status: 'ended' }) },
  },
  output: ({ context }) => ({
    status: context.status ?? 'ended',
    proposal: context.proposal,
    agreement: context.agreement,
  }),
})

/**
 * Why a counter or accept in the `offered` state is refused, checked in order: it is for
 * another negotiation, for an offer no longer standing (`replayed`), for one never made
 * (`not_found`), or an accept whose agreement is not exactly the one the offer implies
 * (`terms_mismatch`).
 */
function refusalOf(
  context: ProviderContext,
  event: ProviderMessageEvent,
): { reason: RejectReason | 'ok'; message: string } {
  const message = event.message
  if (message.type !== 'counter' && message.type !== 'accept') return { reason: 'ok', message: '' }
  if (message.cfpId !== context.cfp.cfpId)
    return { reason: 'not_found', message: 'another call for proposals' }
  const current = context.proposal!
  if (message.proposalId !== current.proposalId)
    return context.issued.includes(message.proposalId)
      ? { reason: 'replayed', message: 'that offer was superseded' }
      : { reason: 'not_found', message: 'no such proposal' }
  if (
    message.type === 'accept' &&
    !sameAgreement(message.agreement, agreementFor(context.cfp, current))
  )
    return { reason: 'terms_mismatch', message: 'the agreement differs from the offer' }
  return { reason: 'ok', message: '' }
}
