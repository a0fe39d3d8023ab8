import type { ConsumerMessage } from '@gotong/core'
import type { Address, Hex } from 'viem'
import { fromPromise } from 'xstate'
import { type SignAgreementParameters, signAgreement } from '../agreement/signAgreement.js'
import { type VerifyAgreementParameters, verifyAgreement } from '../agreement/verifyAgreement.js'
import { type RankedOffer, rankOffers } from '../scoring/rankOffers.js'
import type { ScoreFunction } from '../scoring/weightedScore.js'
import type { Signer } from '../signer.js'
import type {
  DecideInput,
  Decision,
  FundInput,
  RankInput,
  RequestInput,
  SettleInput,
} from './machine/consumerActors.js'
import { acceptOffer, type CounterStrategy } from './strategies.js'

/**
 * Sends one negotiation message to a provider and resolves with its answer (any transport:
 * HTTP, an in-process bus). Rejecting means the provider could not be reached.
 */
export type Send = (
  to: string,
  message: ConsumerMessage,
  options: { signal: AbortSignal },
) => Promise<unknown>

export type ConsumerImplementationsParameters = {
  signer: Signer
  send: Send
  /** Ranks offers; default `cheapest`. */
  score?: ScoreFunction | undefined
  /** Reputation of a payee, 0 to 1, passed to the score function. */
  reputation?: ((payee: Address) => number | Promise<number>) | undefined
  /** Accept, counter or skip the current best offer; default `acceptOffer`. */
  strategy?: CounterStrategy | undefined
  /** Opens or tops up the payment channel once the agreement is signed; default none. */
  fund?: ((input: FundInput) => Promise<unknown>) | undefined
  /** Claims or closes when the agreement ends; default none. */
  settle?: ((input: SettleInput) => Promise<unknown>) | undefined
  /**
   * Checks the provider's countersignature; default `verifyAgreement` (viem). Plug a native
   * secp256k1 recovery here when agreements are many.
   */
  verify?: ((parameters: VerifyAgreementParameters) => Promise<boolean>) | undefined
}

/**
 * The consumer machine's actors built from plain functions: pass the result to
 * `consumerMachine.provide(...)`.
 *
 * @example createActor(consumerMachine.provide(consumerImplementations({ signer, send })), { input })
 */
export function consumerImplementations(parameters: ConsumerImplementationsParameters) {
  const { signer, send, score, reputation, fund, settle } = parameters
  const strategy = parameters.strategy ?? acceptOffer
  return {
    actors: {
      request: fromPromise<unknown, RequestInput>(({ input, signal }) =>
        send(input.to, input.message, { signal }),
      ),
      rank: fromPromise<RankedOffer[], RankInput>(({ input }) =>
        rankOffers(input.offers, { cfp: input.cfp, now: input.now, score, reputation }),
      ),
      decide: fromPromise<Decision, DecideInput>(async ({ input }) => strategy(input)),
      sign: fromPromise<Hex, SignAgreementParameters>(({ input }) => signAgreement(signer, input)),
      verify: fromPromise<boolean, VerifyAgreementParameters>(({ input }) =>
        (parameters.verify ?? verifyAgreement)(input),
      ),
      fund: fromPromise<unknown, FundInput>(async ({ input }) => (fund ? fund(input) : null)),
      settle: fromPromise<unknown, SettleInput>(async ({ input }) =>
        settle ? settle(input) : null,
      ),
    },
  }
}
