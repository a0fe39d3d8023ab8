import { z } from 'zod'
import { Accept, Countersignature } from './accept.js'
import { CallForProposals } from './callForProposals.js'
import { CounterProposal } from './counterProposal.js'
import { Proposal } from './proposal.js'
import { Reject } from './reject.js'

/** Any message of the negotiation protocol, told apart by `type`. */
export const NegotiationMessage = z.discriminatedUnion('type', [
  CallForProposals,
  Proposal,
  CounterProposal,
  Accept,
  Countersignature,
  Reject,
])
export type NegotiationMessage = z.output<typeof NegotiationMessage>

/** What a consumer sends a provider. */
export const ConsumerMessage = z.discriminatedUnion('type', [
  CallForProposals,
  CounterProposal,
  Accept,
  Reject,
])
export type ConsumerMessage = z.output<typeof ConsumerMessage>

/** What a provider answers: an offer, a countersignature, or a refusal. */
export const ProviderMessage = z.discriminatedUnion('type', [Proposal, Countersignature, Reject])
export type ProviderMessage = z.output<typeof ProviderMessage>
