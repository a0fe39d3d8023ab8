import type { AgentEvent, AgentEventBody } from '@gotong/core'
import type { Address } from 'viem'

/** Hears each event of an agent's stream as it happens. */
export type AgentEventListener = (event: AgentEvent) => void

/**
 * An agent's event stream: everything it does, as typed, versioned events (schemas in
 * `@gotong/core`), for live views. In-process readers subscribe here; others read the same
 * events as Server-Sent Events at `GET /events` on the agent's endpoint.
 */
export type AgentEvents = {
  /** Hears every event from now on; returns the function that stops it. */
  subscribe(listener: AgentEventListener): () => void
  unsubscribe(listener: AgentEventListener): void
  /** The newest events, oldest first (a bounded buffer: `events.buffer`, 1,000 by default). */
  recent(): readonly AgentEvent[]
  /**
   * Adds an event: what was done for this agent outside its own verbs (a channel closed by a
   * script holding its key, say). Stamped with the version, its place in the stream, the
   * agent's clock and address.
   */
  emit(body: AgentEventBody): AgentEvent
}

/** The stream as the agent holds it: readers' side plus what ends it. */
export type AgentEventHub = AgentEvents & {
  /** A random id of this stream: a reader resuming another stream (a restart) starts over. */
  readonly stream: string
  /** Runs `closer` when the agent stops (an SSE response ending). */
  onClose(closer: () => void): () => void
  close(): void
}

export type CreateAgentEventsParameters = {
  agent: Address
  now: () => number
  /** Events kept for readers that connect later. Default 1,000. */
  buffer?: number | undefined
}

/**
 * Creates an agent's event stream. Emitting costs a push and a call per listener: nothing is
 * checked or serialized until a reader over HTTP asks (the SSE writer checks each event
 * against its schema once).
 *
 * @example
 * const events = createAgentEvents({ agent: account.address, now: Date.now })
 * const stop = events.subscribe((event) => console.log(event.type))
 */
export function createAgentEvents({
  agent,
  now,
  buffer = 1_000,
}: CreateAgentEventsParameters): AgentEventHub {
  const listeners = new Set<AgentEventListener>()
  const closers = new Set<() => void>()
  let kept: AgentEvent[] = []
  let seq = 0
  return {
    stream: Math.random().toString(36).slice(2, 10),
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    unsubscribe(listener) {
      listeners.delete(listener)
    },
    recent: () => (kept.length > buffer ? kept.slice(-buffer) : kept.slice()),
    emit(body) {
      const event = { v: 1, seq: seq++, at: now(), agent, ...body } as AgentEvent
      kept.push(event)
      // Trimmed in batches, so a busy agent does not copy the buffer on every event.
      if (kept.length >= buffer * 2) kept = kept.slice(-buffer)
      for (const listener of listeners) {
        try {
          listener(event)
        } catch {
          // A reader's failure is its own: the agent's work and other readers go on.
        }
      }
      return event
    },
    onClose(closer) {
      closers.add(closer)
      return () => closers.delete(closer)
    },
    close() {
      listeners.clear()
      for (const closer of [...closers]) closer()
      closers.clear()
    },
  }
}
