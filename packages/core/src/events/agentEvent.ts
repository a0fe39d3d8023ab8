import { z } from 'zod'
import { AddressSchema, Bytes32, Uint32, Uint64, Uint256 } from '../utils/scalars.js'

/** The version of the event schemas below; a reader shows events of another version unparsed. */
export const agentEventVersion = 1

/** What every event of an agent's stream carries: version, order, kind, time and whose it is. */
const common = {
  v: z.literal(agentEventVersion),
  /** Position in the agent's stream, from 0; the SSE `id`, so a reader resumes where it was. */
  seq: z.number().int().min(0),
  /** Unix milliseconds, by the agent's clock. */
  at: z.number().min(0),
  /** The agent's address. */
  agent: AddressSchema,
}

/** A tool or a capability tag: what a negotiation or a call was about. */
const ToolId = Uint256

/** One provider's offer as the consumer weighed it, and how it fared. */
export const NegotiationOffer = z.object({
  provider: AddressSchema,
  toolId: ToolId,
  pricePerCall: Uint256,
  /** The call quota offered (0: none). */
  maxCalls: Uint64,
  /** Service levels offered (0: not promised). */
  p95LatencyMs: Uint32,
  callsPerMinute: Uint32,
  minDeposit: Uint256,
  /** Place in the consumer's ranking, best first; null when the offer was ruled out. */
  rank: z.number().int().min(0).nullable(),
  /** `trying`: the consumer is agreeing with it now. */
  outcome: z.enum(['pending', 'trying', 'won', 'lost']),
  /** Why it lost or was ruled out, in words. */
  reason: z.string().optional(),
})
export type NegotiationOffer = z.output<typeof NegotiationOffer>

/** A provider that dropped out of a negotiation: where and why (its reject reason, or what failed). */
export const NegotiationDropout = z.object({
  provider: z.string(),
  stage: z.string(),
  reason: z.string(),
  message: z.string().optional(),
})
export type NegotiationDropout = z.output<typeof NegotiationDropout>

const AgentStarted = z.object({
  ...common,
  type: z.literal('agent.started'),
  name: z.string(),
  chainId: z.number().int().min(1),
})

const ToolPublished = z.object({
  ...common,
  type: z.literal('tool.published'),
  toolId: ToolId,
  name: z.string(),
  price: Uint256,
  manifestHash: Bytes32,
  accessPredicate: AddressSchema.nullable(),
  /** Where the tool is served. */
  endpoint: z.string(),
})

const NegotiationState = z.object({
  ...common,
  type: z.literal('negotiation.state'),
  /** The call for proposals' id: one negotiation. */
  negotiation: Bytes32,
  /** The tool asked for, or the capability any tool may answer for. */
  toolId: ToolId.optional(),
  capability: z.string().optional(),
  /** The consumer machine's state as a dotted path (`negotiating.signing`). */
  state: z.string(),
  /** The provider being agreed with now, once there is one. */
  provider: AddressSchema.optional(),
  offers: z.array(NegotiationOffer),
  dropouts: z.array(NegotiationDropout),
})

const AgreementSigned = z.object({
  ...common,
  type: z.literal('agreement.signed'),
  side: z.enum(['consumer', 'provider']),
  toolId: ToolId,
  consumer: AddressSchema,
  provider: AddressSchema,
  termsHash: Bytes32,
  pricePerCall: Uint256,
  maxCalls: Uint64,
})

const channel = { channelId: Bytes32 }

const ChannelOpened = z.object({
  ...common,
  ...channel,
  type: z.literal('channel.opened'),
  payer: AddressSchema,
  payee: AddressSchema,
  deposit: Uint256,
  toolId: ToolId.optional(),
})

const ChannelToppedUp = z.object({
  ...common,
  ...channel,
  type: z.literal('channel.toppedUp'),
  /** What was added, and the deposit after it. */
  added: Uint256,
  deposit: Uint256,
})

const ChannelClosing = z.object({
  ...common,
  ...channel,
  type: z.literal('channel.closing'),
  /** Unix seconds the challenge window ends, when known. */
  closesAt: Uint64.optional(),
})

const ChannelClaimed = z.object({
  ...common,
  ...channel,
  type: z.literal('channel.claimed'),
  /** Paid out by this claim. */
  amount: Uint256,
  transaction: Bytes32,
})

const ChannelFinalized = z.object({
  ...common,
  ...channel,
  type: z.literal('channel.finalized'),
  /** Returned to the payer. */
  refunded: Uint256.optional(),
})

/** A call's input and output: only in streams whose agent was asked to include them. */
const io = { input: z.unknown().optional(), output: z.unknown().optional() }

const CallPaid = z.object({
  ...common,
  ...io,
  type: z.literal('call.paid'),
  /** Absent for an x402 URL called outside the directory. */
  toolId: ToolId.optional(),
  provider: AddressSchema,
  price: Uint256,
  channelId: Bytes32.optional(),
  /** From the request leaving to the receipt checked. */
  latencyMs: z.number().min(0).optional(),
  /** How it was paid (`channel`, `x402`), when the agent says. */
  rail: z.string().optional(),
  /** Why that rail (the rail policy's words). */
  railReason: z.string().max(500).optional(),
})

const CallServed = z.object({
  ...common,
  type: z.literal('call.served'),
  tool: z.string(),
  toolId: ToolId,
  caller: AddressSchema,
  price: Uint256.optional(),
  termsHash: Bytes32.optional(),
})

const CallRefused = z.object({
  ...common,
  type: z.literal('call.refused'),
  /** Who refused: the provider (seen from either side) or the consumer itself. */
  side: z.enum(['consumer', 'provider']),
  toolId: ToolId.optional(),
  tool: z.string().optional(),
  /** The other party: the provider for a consumer, the caller for a provider. */
  counterparty: AddressSchema,
  code: z.string(),
})

const ReceiptVerified = z.object({
  ...common,
  ...channel,
  type: z.literal('receipt.verified'),
  toolId: ToolId.optional(),
  provider: AddressSchema,
  calls: Uint64,
  cumulativeAmount: Uint256,
  requestHash: Bytes32,
  responseHash: Bytes32,
  /** Unix seconds the provider says it served the call. */
  servedAt: Uint64,
})

const BudgetSpent = z.object({
  ...common,
  type: z.literal('budget.spent'),
  scope: z.string(),
  spent: Uint256,
  /** What may still be spent, or null for a budget without a cap. */
  remaining: Uint256.nullable(),
})

const Warning = z.object({
  ...common,
  type: z.literal('warning'),
  code: z.string(),
  message: z.string(),
  channelId: Bytes32.optional(),
})

/**
 * One event of an agent's stream, version 1: what it started, published, negotiated, signed,
 * paid, served, claimed or must be warned of. Amounts are bigints (decimal strings on the
 * wire). A call's input and output appear only when the agent was asked to include them.
 *
 * @example const event = AgentEvent.parse(JSON.parse(data))
 */
export const AgentEvent = z.discriminatedUnion('type', [
  AgentStarted,
  ToolPublished,
  NegotiationState,
  AgreementSigned,
  ChannelOpened,
  ChannelToppedUp,
  ChannelClosing,
  ChannelClaimed,
  ChannelFinalized,
  CallPaid,
  CallServed,
  CallRefused,
  ReceiptVerified,
  BudgetSpent,
  Warning,
])
export type AgentEvent = z.output<typeof AgentEvent>
/** An event's kind. */
export type AgentEventType = AgentEvent['type']

/** Every event type version 1 knows. */
export const agentEventTypes: readonly AgentEventType[] = AgentEvent.options.map(
  (option) => option.shape.type.value,
)

/** What every event of any version has: enough to show one this reader does not know. */
export const AgentEventEnvelope = z.looseObject({
  v: z.number().int(),
  type: z.string(),
  at: z.number(),
  agent: z.string(),
  seq: z.number().int().optional(),
})
export type AgentEventEnvelope = z.output<typeof AgentEventEnvelope>

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** An event as its source reports it: the stream adds `v`, `seq`, `at` and `agent`. */
export type AgentEventBody = DistributiveOmit<AgentEvent, 'v' | 'seq' | 'at' | 'agent'>
