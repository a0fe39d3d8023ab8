import { type AgentEvent, type NegotiationOffer, parseAgentEvent } from '@gotong/core'
import type { MachineGraph } from '../src/describeMachine.js'
import type { ViewListing } from '../src/listDirectory.js'
import type { ChainView } from '../src/readChain.js'

export type AgentView = { address: string; name: string | undefined; streaming: boolean }
export type ChannelView = {
  id: string
  payer: string
  payee: string
  deposit: bigint
  /** What the payer's receipts say it paid through the channel. */
  paid: bigint
  /** Claimed by the payee, as its claims report. */
  claimed: bigint
  toolId: bigint | undefined
}
export type NegotiationView = {
  id: string
  agent: string
  toolId: bigint | undefined
  capability: string | undefined
  state: string
  states: string[]
  provider: string | undefined
  offers: NegotiationOffer[]
  dropouts: { provider: string; stage: string; reason: string; message?: string | undefined }[]
  at: number
}
export type CallView = {
  key: string
  at: number
  kind: 'paid' | 'served' | 'refused'
  /** Who reported it. */
  agent: string
  toolId: bigint | undefined
  tool: string | undefined
  provider: string
  caller: string | undefined
  price: bigint | undefined
  latencyMs: number | undefined
  /** How a paid call was paid (`channel`, `x402`) and why, when the payer said. */
  rail: string | undefined
  railReason: string | undefined
  verified: boolean
  code: string | undefined
}
export type MoneyPoint = { at: number; spent: bigint; earned: bigint }

export type ViewState = {
  agents: Map<string, AgentView>
  channels: Map<string, ChannelView>
  negotiations: Map<string, NegotiationView>
  calls: CallView[]
  money: Map<string, MoneyPoint[]>
  tools: Map<string, string>
  unknown: { at: number; v: number; type: string; agent: string }[]
  problems: string[]
  warnings: { at: number; agent: string; code: string; message: string }[]
  sources: Map<string, { label: string; status: string; detail?: string | undefined }>
  chain: ChainView | undefined
  listings: ViewListing[]
  machine: MachineGraph | undefined
  events: number
  /** The newest receipt checked, by whom and where in their stream. */
  lastReceipt: { agent: string; seq: number } | undefined
}

export const initialState = (): ViewState => ({
  agents: new Map(),
  channels: new Map(),
  negotiations: new Map(),
  calls: [],
  money: new Map(),
  tools: new Map(),
  unknown: [],
  problems: [],
  warnings: [],
  sources: new Map(),
  chain: undefined,
  listings: [],
  machine: undefined,
  events: 0,
  lastReceipt: undefined,
})

/** A message from the view's server, as sent. */
export type Message =
  | { kind: 'event'; event: unknown }
  | { kind: 'source'; id: string; label: string; status: string; detail?: string }
  | { kind: 'chain'; view: ChainView }
  | { kind: 'directory'; listings: ViewListing[] }
  | { kind: 'machine'; graph: MachineGraph }
  | { kind: 'problem'; message: string }

const key = (address: string) => address.toLowerCase()

/**
 * Applies a batch of messages to the state, in place on fresh copies of what changed. Each
 * event is checked against the schemas again here: one of another version is listed as
 * unknown, a malformed one as a problem; neither stops the page.
 */
export function apply(previous: ViewState, messages: readonly Message[]): ViewState {
  const state: ViewState = {
    ...previous,
    agents: new Map(previous.agents),
    channels: new Map(previous.channels),
    negotiations: new Map(previous.negotiations),
    calls: previous.calls.slice(),
    money: new Map(previous.money),
    sources: new Map(previous.sources),
  }
  for (const message of messages) {
    if (message.kind === 'event') {
      state.events++
      let parsed: ReturnType<typeof parseAgentEvent>
      try {
        parsed = parseAgentEvent(message.event)
      } catch (error) {
        state.problems = [...state.problems, (error as Error).message.split('\n')[0]!]
        continue
      }
      if (parsed.known) applyEvent(state, parsed.event)
      else {
        const { at, v, type, agent } = parsed.envelope
        state.unknown = [...state.unknown, { at, v, type, agent }]
      }
    } else if (message.kind === 'source')
      state.sources.set(message.id, {
        label: message.label,
        status: message.status,
        detail: message.detail,
      })
    else if (message.kind === 'chain') {
      state.chain = message.view
      for (const address of Object.keys(message.view.balances)) agentOf(state, address)
    } else if (message.kind === 'directory') state.listings = message.listings
    else if (message.kind === 'machine') state.machine = message.graph
    else if (message.kind === 'problem') state.problems = [...state.problems, message.message]
  }
  return state
}

function agentOf(state: ViewState, address: string): AgentView {
  const existing = state.agents.get(key(address))
  if (existing) return existing
  const fresh = { address, name: undefined, streaming: false }
  state.agents.set(key(address), fresh)
  return fresh
}

function credit(state: ViewState, address: string, at: number, spent: bigint, earned: bigint) {
  const series = state.money.get(key(address)) ?? []
  const last = series.at(-1) ?? { at, spent: 0n, earned: 0n }
  state.money.set(key(address), [
    ...series,
    { at, spent: last.spent + spent, earned: last.earned + earned },
  ])
}

function applyEvent(state: ViewState, event: AgentEvent) {
  const me = agentOf(state, event.agent)
  if (!me.streaming) state.agents.set(key(event.agent), { ...me, streaming: true })
  switch (event.type) {
    case 'agent.started':
      state.agents.set(key(event.agent), {
        address: event.agent,
        name: event.name,
        streaming: true,
      })
      break
    case 'tool.published':
      state.tools = new Map(state.tools).set(event.toolId.toString(), event.name)
      break
    case 'negotiation.state': {
      const previous = state.negotiations.get(event.negotiation)
      state.negotiations.set(event.negotiation, {
        id: event.negotiation,
        agent: event.agent,
        toolId: event.toolId,
        capability: event.capability,
        state: event.state,
        states: [...(previous?.states ?? []), event.state],
        provider: event.provider,
        offers: event.offers,
        dropouts: event.dropouts,
        at: previous?.at ?? event.at,
      })
      for (const offer of event.offers) agentOf(state, offer.provider)
      break
    }
    case 'channel.opened':
      agentOf(state, event.payee)
      state.channels.set(key(event.channelId), {
        id: event.channelId,
        payer: event.payer,
        payee: event.payee,
        deposit: event.deposit,
        paid: 0n,
        claimed: 0n,
        toolId: event.toolId,
      })
      break
    case 'channel.toppedUp':
    case 'channel.claimed': {
      const channel = state.channels.get(key(event.channelId))
      if (channel)
        state.channels.set(
          key(event.channelId),
          event.type === 'channel.claimed'
            ? { ...channel, claimed: channel.claimed + event.amount }
            : { ...channel, deposit: event.deposit },
        )
      break
    }
    case 'receipt.verified': {
      const channel = state.channels.get(key(event.channelId))
      if (channel)
        state.channels.set(key(event.channelId), { ...channel, paid: event.cumulativeAmount })
      state.lastReceipt = { agent: event.agent, seq: event.seq }
      break
    }
    case 'call.paid':
    case 'call.served':
    case 'call.refused': {
      const provider =
        event.type === 'call.paid'
          ? event.provider
          : event.type === 'call.served'
            ? event.agent
            : event.counterparty
      state.calls.push({
        key: `${event.agent}-${event.seq}`,
        at: event.at,
        kind:
          event.type === 'call.paid' ? 'paid' : event.type === 'call.served' ? 'served' : 'refused',
        agent: event.agent,
        toolId: event.toolId,
        tool: 'tool' in event ? event.tool : undefined,
        provider,
        caller: event.type === 'call.served' ? event.caller : undefined,
        price: event.type === 'call.refused' ? undefined : event.price,
        latencyMs: event.type === 'call.paid' ? event.latencyMs : undefined,
        rail: event.type === 'call.paid' ? event.rail : undefined,
        railReason: event.type === 'call.paid' ? event.railReason : undefined,
        // The receipt of a paid call is checked (and reported) just before the call.
        verified:
          event.type === 'call.paid' &&
          state.lastReceipt?.agent === event.agent &&
          state.lastReceipt.seq === event.seq - 1,
        code: event.type === 'call.refused' ? event.code : undefined,
      })
      if (state.calls.length > 5_000) state.calls = state.calls.slice(-2_500)
      if (event.type === 'call.paid') {
        credit(state, event.agent, event.at, event.price, 0n)
        credit(state, event.provider, event.at, 0n, event.price)
      } else if (event.type === 'call.served' && event.price !== undefined) {
        // Earnings of a provider whose callers do not stream: its own report is all there is.
        const caller = state.agents.get(key(event.caller))
        if (!caller?.streaming) credit(state, event.agent, event.at, 0n, event.price)
      }
      break
    }
    case 'warning':
      state.warnings = [
        ...state.warnings,
        { at: event.at, agent: event.agent, code: event.code, message: event.message },
      ]
      break
    default:
      break
  }
}
