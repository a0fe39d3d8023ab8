export {
  agreementDomain,
  agreementFor,
  proposalIdFor,
  sameAgreement,
  termsHashFor,
} from './agreement/agreementFor.js'
export { type SignAgreementParameters, signAgreement } from './agreement/signAgreement.js'
export { type VerifyAgreementParameters, verifyAgreement } from './agreement/verifyAgreement.js'
export { type Clock, systemClock } from './clock.js'
export {
  type ConsumerImplementationsParameters,
  consumerImplementations,
  type Send,
} from './consumer/consumerImplementations.js'
export type {
  DecideInput,
  Decision,
  FundInput,
  RankInput,
  RequestInput,
  SettleInput,
} from './consumer/machine/consumerActors.js'
export { consumerMachine } from './consumer/machine/consumerMachine.js'
export type {
  ConsumerContext,
  ConsumerEvent,
  ConsumerInput,
  ConsumerOutput,
  FailureStage,
  ProviderFailure,
} from './consumer/machine/consumerTypes.js'
export type { ConsumerActor, Negotiation } from './consumer/runConsumer.js'
export {
  acceptOffer,
  type CounterStrategy,
  counterToward,
  type WantedTerms,
} from './consumer/strategies.js'
export {
  type CreateResponderParameters,
  createResponder,
  type Responder,
} from './createResponder.js'
export {
  NegotiationError,
  NegotiationFailedError,
  type NegotiationFailureReason,
} from './errors.js'
export { type Inspection, type InspectOption, resolveInspect } from './inspect.js'
export {
  type NegotiateParameters,
  type NegotiationClient,
  negotiate,
} from './negotiate.js'
export { type HolderDiscountParameters, holderDiscount } from './pricing/holderDiscount.js'
export { type LoadSurchargeParameters, loadSurcharge } from './pricing/loadSurcharge.js'
export {
  applyBps,
  type PriceRule,
  type PricingPolicy,
  type PricingRequest,
  pricingPolicy,
} from './pricing/pricingPolicy.js'
export { type VolumeTier, volumeDiscount } from './pricing/volumeDiscount.js'
export {
  type CounterPolicy,
  type CounterPolicyInput,
  concede,
} from './provider/concede.js'
export {
  type CreateQuoteParameters,
  createQuote,
  type ServiceTerms,
} from './provider/createQuote.js'
export type { QuoteInput, QuoteResult } from './provider/machine/providerActors.js'
export { providerMachine } from './provider/machine/providerMachine.js'
export type {
  ProviderContext,
  ProviderEvent,
  ProviderInput,
  ProviderMessageEvent,
  ProviderOffer,
  ProviderOutput,
  ProviderReply,
} from './provider/machine/providerTypes.js'
export {
  type ResumeNegotiationParameters,
  resumeNegotiation,
} from './resumeNegotiation.js'
export { constraintViolation } from './scoring/constraintViolation.js'
export {
  type Offer,
  type RankedOffer,
  type RankOffersParameters,
  rankOffers,
} from './scoring/rankOffers.js'
export {
  type ReputationWeightedOptions,
  reputationWeighted,
} from './scoring/reputationWeighted.js'
export {
  cheapest,
  type ScoreContext,
  type ScoreFunction,
  type ScoreWeights,
  weightedScore,
} from './scoring/weightedScore.js'
export type { Signer } from './signer.js'
export { snapshotFromJson, snapshotToJson } from './snapshot.js'
