import type { Proposal } from '@gotong/core'
import type { Hex } from 'viem'
import type { NegotiationFailureReason } from '../../errors.js'
import { actionsFor } from '../../machine/actionsFor.js'
import { outputOf } from '../../machine/outputOf.js'
import { armAgreementTimer, armOfferTimer, armTimer, armTimerUntil } from '../../machine/timers.js'
import type { RankedOffer } from '../../scoring/rankOffers.js'
import { classify } from './classify.js'
import type { ConsumerActors, Decision } from './consumerActors.js'
import {
  currentProvider,
  pendingAgreement,
  signedAgreement,
  solicitIndex,
  solicitPrefix,
} from './consumerContext.js'
import type { ConsumerDelay } from './consumerDelays.js'
import type {
  ConsumerContext,
  ConsumerEvent,
  FailureStage,
  ProviderFailure,
} from './consumerTypes.js'
import { failureOf, unreachable } from './failureOf.js'
import { notify } from './notify.js'

const { assign, enqueueActions } = actionsFor<
  ConsumerContext,
  ConsumerEvent,
  ConsumerActors,
  ConsumerDelay
>()

/** The failures so far and one more, of the current provider. */
const withFailure = (context: ConsumerContext, failure: Omit<ProviderFailure, 'provider'>) => [
  ...context.failures,
  { provider: currentProvider(context), ...failure },
]

/** The consumer machine's actions. */
export const consumerActions = {
  armSolicitTimer: enqueueActions(({ enqueue, context, system }) =>
    armTimerUntil(enqueue, system, {
      id: 'solicit',
      type: 'timer.solicit',
      delay: 'solicitWindow',
      until: context.cfp.respondBy,
    }),
  ),
  armOfferTimer: enqueueActions(armOfferTimer),
  armRequestTimer: enqueueActions(({ enqueue }) =>
    armTimer(enqueue, 'request', { type: 'timer.request', early: false }, 'requestTimeout'),
  ),
  armAgreementTimer: enqueueActions(armAgreementTimer),
  armDrainTimer: enqueueActions(({ enqueue }) =>
    armTimer(enqueue, 'drain', { type: 'timer.drain', early: false }, 'requestTimeout'),
  ),

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
    const output = outputOf<unknown>(event)
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
  takeCandidates: assign(({ event }) => {
    const candidates = outputOf<RankedOffer[]>(event)
    return { candidates, current: 0, round: 0, proposal: candidates[0]?.proposal }
  }),

  draftAgreement: assign(({ context }) => ({ pending: pendingAgreement(context) })),
  takeCounterTerms: assign({
    counterTerms: ({ event }) => {
      const decision = outputOf<Decision>(event)
      return decision.type === 'counter' ? decision.terms : undefined
    },
  }),
  takeProposal: assign(({ context, event }) => ({
    proposal: (classify(context, outputOf(event)) as { proposal: Proposal }).proposal,
    round: context.round + 1,
  })),
  takeSignature: assign({
    pending: ({ context, event }) => ({
      ...context.pending!,
      consumerSignature: outputOf<Hex>(event),
    }),
  }),
  takeCountersignature: assign({
    pending: ({ context, event }) => ({
      ...context.pending!,
      providerSignature: (classify(context, outputOf(event)) as { signature: Hex }).signature,
    }),
  }),
  sealAgreement: assign(({ context }) => ({ agreement: signedAgreement(context.pending!) })),
  dropCandidate: assign({ pending: undefined, counterTerms: undefined }),
  takeNextCandidate: assign(({ context }) => ({
    current: context.current + 1,
    round: 0,
    proposal: context.candidates[context.current + 1]?.proposal,
  })),
  takeFunding: assign(({ event }) => ({ funding: outputOf(event) })),
  takeSettlement: assign(({ event }) => ({ settlement: outputOf(event) })),
  markCancelled: assign({ cancelled: true }),

  noticeSettled: assign({
    outstanding: ({ context, event }) =>
      context.outstanding.filter((id) => id !== (event as { actorId?: unknown }).actorId),
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

  recordDeclined: assign({
    failures: ({ context, event }) => {
      const decision = outputOf<Decision>(event)
      return withFailure(context, {
        stage: 'decide',
        reason: 'declined',
        message:
          decision.type === 'skip'
            ? (decision.message ?? 'skipped by the strategy')
            : 'no counter rounds left',
      })
    },
  }),
  recordStrategyFailed: assign({
    failures: ({ context, event }) =>
      withFailure(context, {
        stage: 'decide',
        reason: 'declined',
        message: `the strategy failed: ${String((event as { error?: unknown }).error)}`,
      }),
  }),
  recordReplyFailure: enqueueActions(
    ({ enqueue, context, event }, params: { stage: FailureStage }) => {
      const failure = failureOf(context, params.stage, outputOf(event))
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
      unreachable(currentProvider(context), params.stage, (event as { error?: unknown }).error),
    ],
  }),
  recordTimeout: assign({
    failures: ({ context }, params: { stage: FailureStage }) =>
      withFailure(context, {
        stage: params.stage,
        reason: 'timeout',
        message: `no answer within ${context.requestTimeoutMs} ms`,
      }),
  }),
  recordExpired: assign({
    failures: ({ context }) =>
      withFailure(context, {
        stage: context.pending ? 'accept' : 'decide',
        reason: 'expired',
        message: 'the offer expired before it was countersigned',
      }),
  }),
  recordInvalidSignature: enqueueActions(({ enqueue, context }, params: { message: string }) => {
    const provider = currentProvider(context)
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
}
