import type {
  Accept,
  CallForProposals,
  ChannelRequirements,
  ConsumerMessage,
  CounterProposal,
  NegotiatedTool,
  Proposal,
  ProviderMessage,
  SignedAgreement,
} from '@gotong/core'
import type { Address, Hex } from 'viem'

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

/** How a provider negotiation ended. */
export type ProviderOutput = {
  status: 'declined' | 'expired' | 'rejected' | 'ended'
  proposal: Proposal | undefined
  agreement: SignedAgreement | undefined
}

/** A provider negotiation's state beyond its state value. */
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

/** A named timer firing; `early` when it fired only to be re-armed. */
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
