import { parseWith } from '../errors/validation.js'
import { bigintReplacer } from '../utils/scalars.js'
import { AgentEvent, AgentEventEnvelope, agentEventTypes, agentEventVersion } from './agentEvent.js'

/** An event read from a stream: one this reader knows, or one of another version or type. */
export type ParsedAgentEvent =
  | { known: true; event: AgentEvent }
  | { known: false; envelope: AgentEventEnvelope }

const knownTypes = new Set<string>(agentEventTypes)

/**
 * Checks one event of an agent's stream (a parsed JSON value, or its text). An event of
 * another version, or of a type this version does not know, is returned as its envelope to be
 * shown as it is, not thrown: a newer agent must not break an older view. A malformed event of
 * this version throws `InvalidInputError`, as does anything without an envelope.
 *
 * @example
 * const parsed = parseAgentEvent(message.data)
 * if (parsed.known) render(parsed.event)
 * else showUnknown(parsed.envelope)
 */
export function parseAgentEvent(value: unknown): ParsedAgentEvent {
  const json = typeof value === 'string' ? parseJson(value) : value
  const envelope = parseWith(AgentEventEnvelope, json, 'agent event')
  if (envelope.v !== agentEventVersion || !knownTypes.has(envelope.type))
    return { known: false, envelope }
  return { known: true, event: parseWith(AgentEvent, json, `agent event ${envelope.type}`) }
}

/**
 * An event as the wire carries it: JSON with amounts as decimal strings, checked against its
 * schema first, so a stream never sends what its readers would refuse.
 *
 * @example response.write(`id: ${event.seq}\ndata: ${agentEventJson(event)}\n\n`)
 */
export function agentEventJson(event: AgentEvent): string {
  return JSON.stringify(parseWith(AgentEvent, event, `agent event ${event.type}`), bigintReplacer)
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    // Not JSON: the envelope check below reports it as the invalid input it is.
    return text
  }
}
