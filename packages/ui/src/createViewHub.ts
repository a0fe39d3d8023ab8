import type { ServerResponse } from 'node:http'
import { type AgentEvent, agentEventJson, parseAgentEvent } from '@gotong/core'
import type { Address, Hex } from 'viem'

/** What the page is sent, one JSON message per Server-Sent Event. */
export type ViewMessage =
  | { kind: 'event'; event: unknown }
  | { kind: 'source'; id: string; label: string; status: string; detail?: string }
  | { kind: 'chain'; view: unknown }
  | { kind: 'directory'; listings: unknown[] }
  | { kind: 'machine'; graph: unknown }
  | { kind: 'problem'; message: string }

/**
 * The view's memory and its readers: every agent event that came in (bounded), the agents and
 * channels they name (for the chain reads), and the pages connected. A page that connects gets
 * everything so far, then each message as it comes.
 */
export function createViewHub({ history = 20_000 }: { history?: number } = {}) {
  let events: string[] = []
  const latest = new Map<string, string>()
  const pages = new Set<ServerResponse>()
  const agents = new Map<string, Address>()
  const channels = new Set<Hex>()
  let changed = true
  const send = (message: ViewMessage, key?: string) => {
    const frame = `data: ${JSON.stringify(message)}\n\n`
    if (key) latest.set(key, frame)
    else {
      events.push(frame)
      if (events.length >= history * 2) events = events.slice(-history)
    }
    for (const page of pages) page.write(frame)
  }
  const note = (event: AgentEvent) => {
    const named: (string | undefined)[] = [event.agent]
    if (event.type === 'channel.opened') {
      named.push(event.payer, event.payee)
      channels.add(event.channelId)
    }
    if (event.type === 'call.paid' || event.type === 'receipt.verified') named.push(event.provider)
    if (event.type === 'call.served') named.push(event.caller)
    for (const address of named)
      if (address && !agents.has(address.toLowerCase()))
        agents.set(address.toLowerCase(), address as Address)
    changed = true
  }
  return {
    /**
     * An event from a stream (its JSON text), checked against the schemas: a known event is
     * kept and forwarded, one of another version forwarded to be shown as such, a malformed one
     * reported as a problem and dropped.
     */
    receive(data: string, source: string): void {
      let parsed: ReturnType<typeof parseAgentEvent>
      try {
        parsed = parseAgentEvent(data)
      } catch (error) {
        send({ kind: 'problem', message: `${source}: ${(error as Error).message}` })
        return
      }
      if (parsed.known) note(parsed.event)
      send({ kind: 'event', event: JSON.parse(data) })
    },
    /** An event from an agent in this process: written as the wire would carry it. */
    receiveLocal(event: AgentEvent): void {
      const data = agentEventJson(event)
      note(event)
      send({ kind: 'event', event: JSON.parse(data) })
    },
    /** A message that replaces the previous one of its key (the chain, the directory, …). */
    replace(key: string, message: ViewMessage): void {
      send(message, key)
    },
    problem(message: string): void {
      send({ kind: 'problem', message })
    },
    /** An address to show (and read the balance of) even before it streams anything. */
    watch(address: Address): void {
      if (!agents.has(address.toLowerCase())) agents.set(address.toLowerCase(), address)
      changed = true
    },
    agents: () => [...agents.values()],
    channels: () => [...channels],
    /** True once per batch of news: the chain is worth reading again. */
    takeChanged(): boolean {
      const was = changed
      changed = false
      return was
    },
    /** Starts a page's stream: everything so far, then live. */
    attach(page: ServerResponse): void {
      page.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
      })
      page.write(`retry: 1000\n\n${[...latest.values()].join('')}${events.join('')}`)
      pages.add(page)
      page.once('close', () => pages.delete(page))
    },
    viewers: () => pages.size,
    close(): void {
      for (const page of pages) page.end()
      pages.clear()
    },
  }
}

export type ViewHub = ReturnType<typeof createViewHub>
