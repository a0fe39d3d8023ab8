import {
  type Accept,
  type CallForProposals,
  type ConsumerMessage,
  hashAgreement,
  type Proposal,
  ProviderMessage,
  type Reject,
  type RejectReason,
  type SignedAgreement,
  type Terms,
} from '@gotong/core'
import type { Hex } from 'viem'
import { assign, enqueueActions, fromPromise, setup } from 'xstate'
import { agreementDomain, agreementFor } from '../agreement/agreementFor.js'
import type { SignAgreementParameters } from '../agreement/signAgreement.js'
import { type VerifyAgreementParameters, verifyAgreement } from '../agreement/verifyAgreement.js'
import { maxTimerDelay, msUntil, nowOf } from '../clock.js'
import { NegotiationError, type NegotiationFailureReason } from '../errors.js'
import { type Offer, type RankedOffer, rankOffers } from '../scoring/rankOffers.js'

/** What starts a consumer negotiation. */
export type ConsumerInput = {
  cfp: CallForProposals
  /** Transport addresses of the providers to ask (their addresses, URLs or bus names). */
  providers: readonly string[]
  /** Counters the consumer may make per provider. Default 2. */
  maxRounds?: number
  /** How long a counter or an accept may go unanswered. Default 10 s. */
  requestTimeoutMs?: number
}

/** One message to one provider; the promise resolves with its answer. */
export type RequestInput = { to: string; message: ConsumerMessage }
export type RankInput = { cfp: CallForProposals; offers: Offer[]; now: number }
export type DecideInput = {
  cfp: CallForProposals
  proposal: Proposal
  /** Counters made to this provider so far. */
  round: number
  maxRounds: number
  now: number
}
/** What to do with the current best offer. */
export type Decision =
  | { type: 'accept' }
  | { type: 'counter'; terms: Terms }
  | { type: 'skip'; message?: string }
export type FundInput = { cfp: CallForProposals; proposal: Proposal; agreement: SignedAgreement }
export type SettleInput = { agreement: SignedAgreement; funding: unknown; cancelled: boolean }

/** Where a provider dropped out of the running. */
export type FailureStage = 'solicit' | 'decide' | 'counter' | 'accept' | 'verify'

/** Why one provider did not end in an agreement: its reject reason, or what went wrong. */
export type ProviderFailure = {
  provider: string
  stage: FailureStage
  reason: RejectReason | 'unreachable' | 'timeout' | 'invalid_reply'
  message?: string
}

/** How a consumer negotiation ended. */
export type ConsumerOutput =
  | {
      status: 'settled' | 'cancelled'
      agreement: SignedAgreement | undefined
      provider: string | undefined
      funding: unknown
      settlement: unknown
      failures: ProviderFailure[]
    }
  | {
      status: 'failed'
      reason: NegotiationFailureReason
      message: string
      agreement: SignedAgreement | undefined
      failures: ProviderFailure[]
    }

type Pending = {
  agreement: SignedAgreement['agreement']
  domain: ReturnType<typeof agreementDomain>
  termsHash: Hex
  consumerSignature?: Hex
  providerSignature?: Hex
}

export type ConsumerContext = {
  cfp: CallForProposals
  providers: string[]
  maxRounds: number
  requestTimeoutMs: number
  /** Indices (into providers) of those that answered the call for proposals. */
  answered: number[]
  offers: Offer[]
  candidates: RankedOffer[]
  current: number
  round: number
  proposal: Proposal | undefined
  counterTerms: Terms | undefined
  pending: Pending | undefined
  agreement: SignedAgreement | undefined
  funding: unknown
  settlement: unknown
  failures: ProviderFailure[]
  failure: { reason: NegotiationFailureReason; message: string } | undefined
  cancelled: boolean
  notices: number
  /** Notices sent and not yet answered: the machine waits for them before it ends. */
  outstanding: string[]
}

type TimerEvent = {
  type: 'timer.solicit' | 'timer.offer' | 'timer.request' | 'timer.agreement' | 'timer.drain'
  early: boolean
}

/** Events a consumer negotiation takes from outside. */
export type ConsumerEvent =
  | { type: 'cancel' }
  | { type: 'settle' }
  /** Send after restoring from a snapshot: re-arms timers (lapsed ones fire at once). */
  | { type: 'resume' }
  | TimerEvent

const notProvided = (what: string) =>
  new NegotiationError('ACTOR_NOT_PROVIDED', `The consumer machine needs a "${what}" actor`, {
    metaMessages: ['Provide it with consumerMachine.provide({ actors: { ... } }).'],
  })

const solicitPrefix = 'cfp:'

type Reply =
  | { kind: 'proposal'; proposal: Proposal }
  | { kind: 'countersign'; signature: Hex }
  | { kind: 'reject'; reject: Reject }
  | { kind: 'mismatch'; message: string }
  | { kind: 'invalid'; message: string }

/** Sorts out a provider's answer against what the consumer expects at this point. */
function classify(context: ConsumerContext, raw: unknown): Reply {
  const parsed = ProviderMessage.safeParse(raw)
  if (!parsed.success) return { kind: 'invalid', message: 'not a provider message' }
  const message = parsed.data
  if (message.cfpId !== context.cfp.cfpId)
    return { kind: 'invalid', message: 'answers another call for proposals' }
  if (message.type === 'reject') return { kind: 'reject', reject: message }
  const previous = context.proposal
  if (message.type === 'proposal') {
    if (context.pending) return { kind: 'mismatch', message: 'a new proposal after acceptance' }
    if (
      previous &&
      (message.payee !== previous.payee ||
        message.tool.registry !== previous.tool.registry ||
        message.tool.toolId !== previous.tool.toolId ||
        message.tool.manifestHash !== previous.tool.manifestHash ||
        message.channel.contract !== previous.channel.contract)
    )
      return { kind: 'mismatch', message: 'payee, tool or channel changed between rounds' }
    if (previous && message.round !== previous.round + 1)
      return { kind: 'invalid', message: `expected round ${previous.round + 1}` }
    return { kind: 'proposal', proposal: message }
  }
  if (message.type === 'countersign') {
    if (!context.pending || message.proposalId !== previous?.proposalId)
      return { kind: 'invalid', message: 'a countersignature nothing was accepted for' }
    if (message.termsHash !== context.pending.termsHash)
      return { kind: 'mismatch', message: 'countersigned other terms than those accepted' }
    return { kind: 'countersign', signature: message.signature }
  }
  return { kind: 'invalid', message: `unexpected ${(message as { type: string }).type}` }
}

function failureOf(
  context: ConsumerContext,
  stage: FailureStage,
  raw: unknown,
  provider = context.candidates[context.current]?.provider ?? '',
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

const unreachable = (provider: string, stage: FailureStage, error: unknown): ProviderFailure => ({
  provider,
  stage,
  reason: 'unreachable',
  message: error instanceof Error ? error.message : String(error),
})

type Notice = { to: string; reason: RejectReason; message?: string }

/**
 * Tells providers, fire and forget, why the consumer walked away; their answers are not
 * awaited (offers lapse on their own if a notice is lost).
 */
function notify(
  enqueue: {
    spawnChild: (src: 'request', options: { id: string; input: RequestInput }) => void
    assign: (assignment: {
      notices: (args: { context: ConsumerContext }) => number
      outstanding: (args: { context: ConsumerContext }) => string[]
    }) => void
  },
  context: ConsumerContext,
  notices: readonly Notice[],
): void {
  const ids = notices.map((_, index) => `notify:${context.notices + index}`)
  notices.forEach((notice, index) => {
    const message: Reject = {
      type: 'reject',
      cfpId: context.cfp.cfpId,
      ...(context.proposal ? { proposalId: context.proposal.proposalId } : {}),
      reason: notice.reason,
      ...(notice.message ? { message: notice.message } : {}),
    }
    enqueue.spawnChild('request', {
      id: ids[index]!,
      input: { to: notice.to, message },
    })
  })
  enqueue.assign({
    notices: ({ context }) => context.notices + notices.length,
    outstanding: ({ context }) => [...context.outstanding, ...ids],
  })
}

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

const solicitIndex = (event: unknown, context: ConsumerContext): number | undefined => {
  const { actorId } = event as { actorId?: unknown }
  if (typeof actorId !== 'string' || !actorId.startsWith(solicitPrefix)) return undefined
  const index = Number(actorId.slice(solicitPrefix.length))
  return context.answered.includes(index) ? undefined : index
}

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
  actors: {
    request: fromPromise<unknown, RequestInput>(async () => {
      throw notProvided('request')
    }),
    rank: fromPromise<RankedOffer[], RankInput>(({ input }) =>
      rankOffers(input.offers, { cfp: input.cfp, now: input.now }),
    ),
    decide: fromPromise<Decision, DecideInput>(async () => ({ type: 'accept' })),
    sign: fromPromise<Hex, SignAgreementParameters>(async () => {
      throw notProvided('sign')
    }),
    verify: fromPromise<boolean, VerifyAgreementParameters>(({ input }) => verifyAgreement(input)),
    fund: fromPromise<unknown, FundInput>(async () => null),
    settle: fromPromise<unknown, SettleInput>(async () => null),
  },
  delays: {
    solicitWindow: ({ context, system }) =>
      Math.min(maxTimerDelay, msUntil(system, context.cfp.respondBy)),
    offerExpiry: ({ context, system }) =>
      Math.min(maxTimerDelay, msUntil(system, context.proposal?.expiresAt ?? 0n)),
    requestTimeout: ({ context }) => context.requestTimeoutMs,
    agreementExpiry: ({ context, system }) =>
      Math.min(maxTimerDelay, msUntil(system, context.agreement?.agreement.validUntil ?? 0n)),
  },
  actions: {
    armSolicitTimer: enqueueActions(({ enqueue, context, system }) => {
      enqueue.cancel('solicit')
      const early = msUntil(system, context.cfp.respondBy) > maxTimerDelay
      enqueue.raise({ type: 'timer.solicit', early }, { id: 'solicit', delay: 'solicitWindow' })
    }),
    armOfferTimer: enqueueActions(({ enqueue, context, system }) => {
      enqueue.cancel('offer')
      const early = msUntil(system, context.proposal?.expiresAt ?? 0n) > maxTimerDelay
      enqueue.raise({ type: 'timer.offer', early }, { id: 'offer', delay: 'offerExpiry' })
    }),
    armRequestTimer: enqueueActions(({ enqueue }) => {
      enqueue.cancel('request')
      enqueue.raise(
        { type: 'timer.request', early: false },
        { id: 'request', delay: 'requestTimeout' },
      )
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
    solicit: enqueueActions(({ enqueue, context }) => {
      context.providers.forEach((to, index) => {
        enqueue.spawnChild('request', {
          id: `${solicitPrefix}${index}`,
          input: { to, message: context.cfp },
        })
      })
    }),
    stopSolicits: enqueueActions(({ enqueue, context }) => {
      context.providers.forEach((_, index) => {
        enqueue.stopChild(`${solicitPrefix}${index}`)
      })
    }),
    recordSolicitAnswer: assign(({ context, event }) => {
      const index = solicitIndex(event, context) ?? -1
      const { output } = event as unknown as { output: unknown }
      const provider = context.providers[index] ?? ''
      const reply = classify(context, output)
      const answered = [...context.answered, index]
      if (reply.kind === 'proposal' && reply.proposal.round === 0)
        return { answered, offers: [...context.offers, { provider, proposal: reply.proposal }] }
      return {
        answered,
        failures: [...context.failures, failureOf(context, 'solicit', output, provider)],
      }
    }),
    recordSolicitError: assign(({ context, event }) => {
      const index = solicitIndex(event, context) ?? -1
      const { error } = event as unknown as { error: unknown }
      return {
        answered: [...context.answered, index],
        failures: [
          ...context.failures,
          unreachable(context.providers[index] ?? '', 'solicit', error),
        ],
      }
    }),
    noticeSettled: assign({
      outstanding: ({ context, event }) =>
        context.outstanding.filter((id) => id !== (event as { actorId?: unknown }).actorId),
    }),
    armDrainTimer: enqueueActions(({ enqueue }) => {
      enqueue.cancel('drain')
      enqueue.raise({ type: 'timer.drain', early: false }, { id: 'drain', delay: 'requestTimeout' })
    }),
    recordSilent: assign({
      failures: ({ context }) => [
        ...context.failures,
        ...context.providers
          .filter((_, index) => !context.answered.includes(index))
          .map(
            (provider): ProviderFailure => ({
              provider,
              stage: 'solicit',
              reason: 'timeout',
              message: 'no answer before respondBy',
            }),
          ),
      ],
    }),
    notifyCancelled: enqueueActions(({ enqueue, context }) => {
      if (context.agreement) return
      const told = new Set<string>()
      for (const { provider } of context.offers) {
        told.add(provider)
      }
      notify(
        enqueue,
        context,
        [...told].map((to) => ({ to, reason: 'cancelled' as const })),
      )
    }),
    fail: assign((_, params: { reason: NegotiationFailureReason; message: string }) => ({
      failure: params,
    })),
    recordReplyFailure: enqueueActions(
      ({ enqueue, context, event }, params: { stage: FailureStage }) => {
        const failure = failureOf(context, params.stage, (event as { output?: unknown }).output)
        enqueue.assign({ failures: [...context.failures, failure] })
        // The provider believes it made a valid move; say why it was refused.
        if (failure.reason === 'terms_mismatch' || failure.reason === 'invalid_reply')
          notify(enqueue, context, [
            {
              to: failure.provider,
              reason: failure.reason === 'terms_mismatch' ? 'terms_mismatch' : 'invalid_input',
              ...(failure.message ? { message: failure.message } : {}),
            },
          ])
      },
    ),
    recordUnreachable: assign({
      failures: ({ context, event }, params: { stage: FailureStage }) => [
        ...context.failures,
        unreachable(
          context.candidates[context.current]?.provider ?? '',
          params.stage,
          (event as { error?: unknown }).error,
        ),
      ],
    }),
    recordTimeout: assign({
      failures: ({ context }, params: { stage: FailureStage }) => [
        ...context.failures,
        {
          provider: context.candidates[context.current]?.provider ?? '',
          stage: params.stage,
          reason: 'timeout',
          message: `no answer within ${context.requestTimeoutMs} ms`,
        },
      ],
    }),
    recordExpired: assign({
      failures: ({ context }) => [
        ...context.failures,
        {
          provider: context.candidates[context.current]?.provider ?? '',
          stage: context.pending ? 'accept' : 'decide',
          reason: 'expired',
          message: 'the offer expired before it was countersigned',
        },
      ],
    }),
    recordInvalidSignature: enqueueActions(({ enqueue, context }, params: { message: string }) => {
      const provider = context.candidates[context.current]?.provider ?? ''
      enqueue.assign({
        failures: [
          ...context.failures,
          { provider, stage: 'verify', reason: 'invalid_signature', message: params.message },
        ],
      })
      notify(enqueue, context, [
        { to: provider, reason: 'invalid_signature', message: params.message },
      ])
    }),
  },
  guards: {
    isNotice: ({ context, event }) =>
      context.outstanding.includes(String((event as { actorId?: unknown }).actorId)),
    drained: ({ context }) => context.outstanding.length === 0,
    isSolicitAnswer: ({ context, event }) => solicitIndex(event, context) !== undefined,
    allAnswered: ({ context }) => context.answered.length >= context.providers.length,
    early: ({ event }) => (event as TimerEvent).early,
  },
}).createMachine({
  id: 'consumer',
  context: ({ input }) => ({
    cfp: input.cfp,
    providers: [...input.providers],
    maxRounds: input.maxRounds ?? 2,
    requestTimeoutMs: input.requestTimeoutMs ?? 10_000,
    answered: [],
    offers: [],
    candidates: [],
    current: 0,
    round: 0,
    proposal: undefined,
    counterTerms: undefined,
    pending: undefined,
    agreement: undefined,
    funding: undefined,
    settlement: undefined,
    failures: [],
    failure: undefined,
    cancelled: false,
    notices: 0,
    outstanding: [],
  }),
  initial: 'soliciting',
  on: {
    'xstate.done.actor.*': { guard: 'isNotice', actions: 'noticeSettled' },
    'xstate.error.actor.*': { guard: 'isNotice', actions: 'noticeSettled' },
    cancel: {
      target: '.cancelling',
      actions: ['notifyCancelled', assign({ cancelled: true })],
    },
  },
  states: {
    soliciting: {
      entry: ['solicit', 'armSolicitTimer'],
      exit: ['stopSolicits', enqueueActions(({ enqueue }) => enqueue.cancel('solicit'))],
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
        input: ({ context, self }) => ({
          cfp: context.cfp,
          offers: context.offers,
          now: nowOf(self.system),
        }),
        onDone: [
          {
            guard: ({ event }) => event.output.length > 0,
            target: 'negotiating',
            actions: assign(({ event }) => ({
              candidates: event.output,
              current: 0,
              round: 0,
              proposal: event.output[0]?.proposal,
            })),
          },
          {
            guard: ({ context }) => context.offers.length > 0,
            target: 'failing',
            actions: {
              type: 'fail',
              params: { reason: 'no_acceptable_offer', message: 'No offer met the constraints' },
            },
          },
          {
            guard: ({ context }) =>
              context.answered.length > 0 &&
              context.failures.length > 0 &&
              context.failures.every(
                (f) =>
                  f.reason !== 'unreachable' &&
                  f.reason !== 'timeout' &&
                  f.reason !== 'invalid_reply',
              ),
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
      exit: enqueueActions(({ enqueue }) => {
        enqueue.cancel('offer')
        enqueue.cancel('request')
      }),
      on: { resume: { actions: 'armOfferTimer' } },
      states: {
        deciding: {
          entry: 'armOfferTimer',
          invoke: {
            src: 'decide',
            input: ({ context, self }) => ({
              cfp: context.cfp,
              proposal: context.proposal!,
              round: context.round,
              maxRounds: context.maxRounds,
              now: nowOf(self.system),
            }),
            onDone: [
              {
                guard: ({ event }) => event.output.type === 'accept',
                target: 'signing',
                actions: assign(({ context }) => {
                  const agreement = agreementFor(context.cfp, context.proposal!)
                  const domain = agreementDomain(context.cfp, context.proposal!)
                  return {
                    pending: { agreement, domain, termsHash: hashAgreement(agreement, domain) },
                  }
                }),
              },
              {
                guard: ({ context, event }) =>
                  event.output.type === 'counter' && context.round < context.maxRounds,
                target: 'countering',
                actions: assign({
                  counterTerms: ({ event }) =>
                    event.output.type === 'counter' ? event.output.terms : undefined,
                }),
              },
              {
                target: '#consumer.nextCandidate',
                actions: assign({
                  failures: ({ context, event }) => [
                    ...context.failures,
                    {
                      provider: context.candidates[context.current]?.provider ?? '',
                      stage: 'decide',
                      reason: 'declined',
                      message:
                        event.output.type === 'skip'
                          ? (event.output.message ?? 'skipped by the strategy')
                          : 'no counter rounds left',
                    },
                  ],
                }),
              },
            ],
            onError: {
              target: '#consumer.nextCandidate',
              actions: assign({
                failures: ({ context, event }) => [
                  ...context.failures,
                  {
                    provider: context.candidates[context.current]?.provider ?? '',
                    stage: 'decide',
                    reason: 'declined',
                    message: `the strategy failed: ${String(event.error)}`,
                  },
                ],
              }),
            },
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
            input: ({ context }) => ({
              to: context.candidates[context.current]?.provider ?? '',
              message: {
                type: 'counter',
                cfpId: context.cfp.cfpId,
                proposalId: context.proposal!.proposalId,
                terms: context.counterTerms!,
              },
            }),
            onDone: [
              {
                guard: ({ context, event }) => classify(context, event.output).kind === 'proposal',
                target: 'deciding',
                actions: assign(({ context, event }) => ({
                  proposal: (classify(context, event.output) as { proposal: Proposal }).proposal,
                  round: context.round + 1,
                })),
              },
              {
                target: '#consumer.nextCandidate',
                actions: { type: 'recordReplyFailure', params: { stage: 'counter' } },
              },
            ],
            onError: {
              target: '#consumer.nextCandidate',
              actions: { type: 'recordUnreachable', params: { stage: 'counter' } },
            },
          },
          on: {
            // The counter asks for a new offer: the old one lapsing meanwhile is no failure.
            'timer.offer': {},
            'timer.request': {
              target: '#consumer.nextCandidate',
              actions: { type: 'recordTimeout', params: { stage: 'counter' } },
            },
            resume: { actions: 'armRequestTimer' },
          },
        },

        signing: {
          invoke: {
            src: 'sign',
            input: ({ context }) => ({
              agreement: context.pending!.agreement,
              domain: context.pending!.domain,
            }),
            onDone: {
              target: 'awaitingCountersign',
              actions: assign({
                pending: ({ context, event }) => ({
                  ...context.pending!,
                  consumerSignature: event.output,
                }),
              }),
            },
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
            input: ({ context }) => ({
              to: context.candidates[context.current]?.provider ?? '',
              message: {
                type: 'accept',
                cfpId: context.cfp.cfpId,
                proposalId: context.proposal!.proposalId,
                agreement: context.pending!.agreement,
                signature: context.pending!.consumerSignature!,
              } satisfies Accept,
            }),
            onDone: [
              {
                guard: ({ context, event }) =>
                  classify(context, event.output).kind === 'countersign',
                target: 'verifying',
                actions: assign({
                  pending: ({ context, event }) => ({
                    ...context.pending!,
                    providerSignature: (classify(context, event.output) as { signature: Hex })
                      .signature,
                  }),
                }),
              },
              {
                target: '#consumer.nextCandidate',
                actions: { type: 'recordReplyFailure', params: { stage: 'accept' } },
              },
            ],
            onError: {
              target: '#consumer.nextCandidate',
              actions: { type: 'recordUnreachable', params: { stage: 'accept' } },
            },
          },
          on: {
            'timer.offer': [
              { guard: 'early', actions: 'armOfferTimer' },
              { target: '#consumer.nextCandidate', actions: 'recordExpired' },
            ],
            'timer.request': {
              target: '#consumer.nextCandidate',
              actions: { type: 'recordTimeout', params: { stage: 'accept' } },
            },
            resume: { actions: ['armOfferTimer', 'armRequestTimer'] },
          },
        },

        verifying: {
          invoke: {
            src: 'verify',
            input: ({ context }) => ({
              agreement: context.pending!.agreement,
              domain: context.pending!.domain,
              signature: context.pending!.providerSignature!,
              signer: context.pending!.agreement.provider,
            }),
            onDone: [
              {
                guard: ({ event }) => event.output,
                target: '#consumer.funding',
                actions: assign(({ context }) => {
                  const pending = context.pending!
                  return {
                    agreement: {
                      agreement: pending.agreement,
                      chainId: pending.domain.chainId,
                      verifyingContract: pending.domain.verifyingContract,
                      termsHash: pending.termsHash,
                      consumerSignature: pending.consumerSignature!,
                      providerSignature: pending.providerSignature!,
                    },
                  }
                }),
              },
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
      entry: assign({ pending: undefined, counterTerms: undefined }),
      always: [
        {
          guard: ({ context }) => context.current + 1 < context.candidates.length,
          target: 'negotiating',
          actions: assign(({ context }) => ({
            current: context.current + 1,
            round: 0,
            proposal: context.candidates[context.current + 1]?.proposal,
          })),
        },
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
        input: ({ context }) => ({
          cfp: context.cfp,
          proposal: context.proposal!,
          agreement: context.agreement!,
        }),
        onDone: [
          {
            guard: ({ context }) => context.cancelled,
            target: 'settling',
            actions: assign({ funding: ({ event }) => event.output }),
          },
          { target: 'active', actions: assign({ funding: ({ event }) => event.output }) },
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
      on: { cancel: { actions: assign({ cancelled: true }) } },
    },

    active: {
      entry: 'armAgreementTimer',
      exit: enqueueActions(({ enqueue }) => enqueue.cancel('agreement')),
      on: {
        settle: 'settling',
        cancel: { target: 'settling', actions: assign({ cancelled: true }) },
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
        input: ({ context }) => ({
          agreement: context.agreement!,
          funding: context.funding,
          cancelled: context.cancelled,
        }),
        onDone: { target: 'done', actions: assign({ settlement: ({ event }) => event.output }) },
        onError: {
          target: 'failing',
          actions: {
            type: 'fail',
            params: { reason: 'settle_failed', message: 'Settling the channel failed' },
          },
        },
      },
      on: { cancel: { actions: assign({ cancelled: true }) } },
    },

    // Ending waits for notices in flight: a final state would stop them unsent.
    failing: draining('failed'),
    cancelling: draining('cancelled'),
    done: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
  },
  output: ({ context }): ConsumerOutput => {
    if (context.failure)
      return {
        status: 'failed',
        reason: context.failure.reason,
        message: context.failure.message,
        agreement: context.agreement,
        failures: context.failures,
      }
    return {
      status: context.cancelled ? 'cancelled' : 'settled',
      agreement: context.agreement,
      provider: context.agreement ? context.candidates[context.current]?.provider : undefined,
      funding: context.funding,
      settlement: context.settlement,
      failures: context.failures,
    }
  },
})
