import type {
  CallForProposals,
  ConsumerMessage,
  Proposal,
  SignedAgreement,
  Terms,
} from '@gotong/core'
import { fromPromise } from 'xstate'
import type { ProvidedActors } from '../../machine/actionsFor.js'
import { notProvided, signNotProvided, verifyWithViem } from '../../machine/defaultActors.js'
import { type Offer, type RankedOffer, rankOffers } from '../../scoring/rankOffers.js'

/** One message to one provider; the promise resolves with its answer. */
export type RequestInput = { to: string; message: ConsumerMessage }
/** What the `rank` actor orders: the offers in, against the call for proposals. */
export type RankInput = { cfp: CallForProposals; offers: Offer[]; now: number }
/** What the `decide` actor weighs: the current best offer. */
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
/** What the `fund` actor opens or tops up a channel for. */
export type FundInput = { cfp: CallForProposals; proposal: Proposal; agreement: SignedAgreement }
/** What the `settle` actor claims or closes. */
export type SettleInput = { agreement: SignedAgreement; funding: unknown; cancelled: boolean }

/**
 * The consumer machine's actors until `.provide({ actors })` replaces them: `request` and
 * `sign` must be provided; the rest default to ranking by price, accepting the best offer,
 * viem's signature check and no channel to fund or settle.
 */
export const consumerActors = {
  request: notProvided<unknown, RequestInput>('consumer', 'request'),
  rank: fromPromise<RankedOffer[], RankInput>(({ input }) =>
    rankOffers(input.offers, { cfp: input.cfp, now: input.now }),
  ),
  decide: fromPromise<Decision, DecideInput>(async () => ({ type: 'accept' })),
  sign: signNotProvided('consumer'),
  verify: verifyWithViem,
  fund: fromPromise<unknown, FundInput>(async () => null),
  settle: fromPromise<unknown, SettleInput>(async () => null),
}

/** The consumer's actors as xstate types them for invoking and spawning. */
export type ConsumerActors = ProvidedActors<typeof consumerActors>
