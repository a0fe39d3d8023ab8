import { hashAgreement, type Proposal, type SignedAgreement, type Terms } from '@gotong/core'
import type { Hex } from 'viem'
import { agreementDomain, proposalIdFor } from '../../agreement/agreementFor.js'
import type { SignAgreementParameters } from '../../agreement/signAgreement.js'
import type { VerifyAgreementParameters } from '../../agreement/verifyAgreement.js'
import { toUnixSeconds } from '../../clock.js'
import type { QuoteInput } from './providerActors.js'
import type {
  ProviderContext,
  ProviderEvent,
  ProviderInput,
  ProviderMessageEvent,
  ProviderOutput,
} from './providerTypes.js'

/** A fresh negotiation, about to quote the call for proposals that opened it. */
export function initialContext(input: ProviderInput): ProviderContext {
  return {
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
  }
}

/** The machine's output once it ends. */
export function providerOutput(context: ProviderContext): ProviderOutput {
  return {
    status: context.status ?? 'ended',
    proposal: context.proposal,
    agreement: context.agreement,
  }
}

/** The consumer's message in a `message` event. */
export const messageOf = (event: ProviderEvent) => (event as ProviderMessageEvent).message

/** The proposal for this round's quoted terms, standing for the offer's TTL from `now`. */
export function proposalFor(context: ProviderContext, terms: Terms, now: number): Proposal {
  const { offer, cfp, round } = context
  return {
    type: 'proposal',
    cfpId: cfp.cfpId,
    proposalId: proposalIdFor(cfp.cfpId, offer.payee, round),
    round,
    payee: offer.payee,
    tool: offer.tool,
    terms,
    channel: offer.channel,
    expiresAt: toUnixSeconds(now) + BigInt(offer.offerTtl),
  }
}

/** The accepted agreement with the provider's signature added. */
export function countersigned(context: ProviderContext, signature: Hex): SignedAgreement {
  const domain = agreementDomain(context.cfp, context.proposal!)
  const { agreement, signature: consumerSignature } = context.accept!
  return {
    agreement,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract,
    termsHash: hashAgreement(agreement, domain),
    consumerSignature,
    providerSignature: signature,
  }
}

/** Input of `quote`. */
export const quoteInput = (context: ProviderContext, now: number): QuoteInput => ({
  cfp: context.cfp,
  round: context.round,
  counter: context.counter,
  previous: context.proposal?.terms,
  now,
})

/** Input of `verify`: the consumer's signature on the accepted agreement. */
export const verifyInput = (context: ProviderContext): VerifyAgreementParameters => ({
  agreement: context.accept!.agreement,
  domain: agreementDomain(context.cfp, context.proposal!),
  signature: context.accept!.signature,
  signer: context.cfp.consumer,
})

/** Input of `sign`: the accepted agreement. */
export const signInput = (context: ProviderContext): SignAgreementParameters => ({
  agreement: context.accept!.agreement,
  domain: agreementDomain(context.cfp, context.proposal!),
})
