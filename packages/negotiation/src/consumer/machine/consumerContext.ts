import { type Accept, hashAgreement, type SignedAgreement } from '@gotong/core'
import { agreementDomain, agreementFor } from '../../agreement/agreementFor.js'
import type { SignAgreementParameters } from '../../agreement/signAgreement.js'
import type { VerifyAgreementParameters } from '../../agreement/verifyAgreement.js'
import type {
  DecideInput,
  FundInput,
  RankInput,
  RequestInput,
  SettleInput,
} from './consumerActors.js'
import type { ConsumerContext, ConsumerInput, ConsumerOutput, Pending } from './consumerTypes.js'

/** Ids of the call-for-proposals requests end with the provider's index. */
export const solicitPrefix = 'cfp:'

/** A fresh negotiation, before any provider is asked. */
export function initialContext(input: ConsumerInput): ConsumerContext {
  return {
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
  }
}

/** The machine's output once it ends. */
export function consumerOutput(context: ConsumerContext): ConsumerOutput {
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
}

/** The provider being negotiated with. */
export const currentProvider = (context: ConsumerContext): string =>
  context.candidates[context.current]?.provider ?? ''

/**
 * The provider index a solicit answer (done or error event) is for, unless the event is no
 * solicit answer or one already counted.
 */
export function solicitIndex(event: unknown, context: ConsumerContext): number | undefined {
  const { actorId } = event as { actorId?: unknown }
  if (typeof actorId !== 'string' || !actorId.startsWith(solicitPrefix)) return undefined
  const index = Number(actorId.slice(solicitPrefix.length))
  return context.answered.includes(index) ? undefined : index
}

/** The agreement the current proposal implies, to be signed. */
export function pendingAgreement(context: ConsumerContext): Pending {
  const agreement = agreementFor(context.cfp, context.proposal!)
  const domain = agreementDomain(context.cfp, context.proposal!)
  return { agreement, domain, termsHash: hashAgreement(agreement, domain) }
}

/** The pending agreement with both signatures in. */
export function signedAgreement(pending: Pending): SignedAgreement {
  return {
    agreement: pending.agreement,
    chainId: pending.domain.chainId,
    verifyingContract: pending.domain.verifyingContract,
    termsHash: pending.termsHash,
    consumerSignature: pending.consumerSignature!,
    providerSignature: pending.providerSignature!,
  }
}

/** Input of `rank`. */
export const rankInput = (context: ConsumerContext, now: number): RankInput => ({
  cfp: context.cfp,
  offers: context.offers,
  now,
})

/** Input of `decide`. */
export const decideInput = (context: ConsumerContext, now: number): DecideInput => ({
  cfp: context.cfp,
  proposal: context.proposal!,
  round: context.round,
  maxRounds: context.maxRounds,
  now,
})

/** What a counter or an accept answers: the current proposal. */
const answering = (context: ConsumerContext) => ({
  cfpId: context.cfp.cfpId,
  proposalId: context.proposal!.proposalId,
})

/** The counter to the current provider. */
export const counterRequest = (context: ConsumerContext): RequestInput => ({
  to: currentProvider(context),
  message: { type: 'counter', ...answering(context), terms: context.counterTerms! },
})

/** The signed accept to the current provider. */
export const acceptRequest = (context: ConsumerContext): RequestInput => ({
  to: currentProvider(context),
  message: {
    type: 'accept',
    ...answering(context),
    agreement: context.pending!.agreement,
    signature: context.pending!.consumerSignature!,
  } satisfies Accept,
})

/** Input of `sign`: the pending agreement. */
export const signInput = (context: ConsumerContext): SignAgreementParameters => ({
  agreement: context.pending!.agreement,
  domain: context.pending!.domain,
})

/** Input of `verify`: the provider's countersignature on the pending agreement. */
export const verifyInput = (context: ConsumerContext): VerifyAgreementParameters => ({
  agreement: context.pending!.agreement,
  domain: context.pending!.domain,
  signature: context.pending!.providerSignature!,
  signer: context.pending!.agreement.provider,
})

/** Input of `fund`. */
export const fundInput = (context: ConsumerContext): FundInput => ({
  cfp: context.cfp,
  proposal: context.proposal!,
  agreement: context.agreement!,
})

/** Input of `settle`. */
export const settleInput = (context: ConsumerContext): SettleInput => ({
  agreement: context.agreement!,
  funding: context.funding,
  cancelled: context.cancelled,
})
