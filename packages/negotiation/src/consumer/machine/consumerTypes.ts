import type { CallForProposals, Proposal, RejectReason, SignedAgreement, Terms } from '@gotong/core'
import type { Hex } from 'viem'
import type { agreementDomain } from '../../agreement/agreementFor.js'
import type { NegotiationFailureReason } from '../../errors.js'
import type { Offer, RankedOffer } from '../../scoring/rankOffers.js'

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

/** The agreement being made with the current candidate, signatures as they come in. */
export type Pending = {
  agreement: SignedAgreement['agreement']
  domain: ReturnType<typeof agreementDomain>
  termsHash: Hex
  consumerSignature?: Hex
  providerSignature?: Hex
}

/** A consumer negotiation's state beyond its state value. */
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

/** A named timer firing; `early` when it fired only to be re-armed. */
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
