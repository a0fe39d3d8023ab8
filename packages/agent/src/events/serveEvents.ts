import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type AgentEvent, agentEventJson } from '@gotong/core'
import type { AgentEventHub } from './createAgentEvents.js'

export type ServeEventsParameters = {
  /** Readers must send it (`Authorization: Bearer …` or `?token=`); then any address may read. */
  token?: string | undefined
  /** How often an idle stream sends a comment, so proxies and readers see it alive. */
  heartbeatMs?: number
}

const loopback = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

/**
 * The agent's stream as Server-Sent Events (`GET /events`): read-only, for loopback readers
 * only unless a token is set. A reader gets the buffered events first (after `Last-Event-ID`
 * when it resumes the same stream), then each event as it happens. Each event is checked
 * against its schema before it is written, once however many readers there are.
 *
 * @example state.plainRoutes.set('/events', serveEvents(events, { token }))
 */
export function serveEvents(hub: AgentEventHub, parameters: ServeEventsParameters = {}) {
  const json = new WeakMap<AgentEvent, string>()
  const frame = (event: AgentEvent) => {
    const data = json.get(event) ?? agentEventJson(event)
    json.set(event, data)
    return `id: ${hub.stream}-${event.seq}\ndata: ${data}\n\n`
  }
  return (request: IncomingMessage, response: ServerResponse): void => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    const refusal = refusalOf(request, parameters.token)
    if (refusal) {
      response
        .writeHead(refusal, { 'content-type': 'text/plain' })
        .end(
          refusal === 401
            ? 'This agent streams its events to holders of its token.\n'
            : 'This agent streams its events to loopback readers only (set events.token to allow others).\n',
        )
      return
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
    })
    if (request.method === 'HEAD') {
      response.end()
      return
    }
    const after = resumeAfter(request.headers['last-event-id'], hub.stream)
    let backlog = 'retry: 1000\n\n'
    for (const event of hub.recent()) if (event.seq > after) backlog += frame(event)
    response.write(backlog)
    const unsubscribe = hub.subscribe((event) => {
      response.write(frame(event))
    })
    const heartbeat = setInterval(
      () => response.write(': alive\n\n'),
      parameters.heartbeatMs ?? 15_000,
    )
    heartbeat.unref()
    let ended = false
    const end = () => {
      if (ended) return
      ended = true
      clearInterval(heartbeat)
      unsubscribe()
      stopClosing()
      response.end()
    }
    const stopClosing = hub.onClose(end)
    request.once('close', end)
  }
}

/** 401 without the right token, 403 for a non-loopback reader when there is no token. */
function refusalOf(request: IncomingMessage, token: string | undefined): 401 | 403 | undefined {
  if (token === undefined) return loopback.has(request.socket.remoteAddress ?? '') ? undefined : 403
  const header = request.headers.authorization
  const given =
    header?.startsWith('Bearer ') === true
      ? header.slice(7)
      : new URL(request.url ?? '/', 'http://agent').searchParams.get('token')
  if (given === null || given === undefined) return 401
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b) ? undefined : 401
}

/** The last event a resuming reader saw, if it resumes this very stream; -1 otherwise. */
function resumeAfter(lastEventId: string | string[] | undefined, stream: string): number {
  if (typeof lastEventId !== 'string') return -1
  const dash = lastEventId.lastIndexOf('-')
  if (lastEventId.slice(0, dash) !== stream) return -1
  const seq = Number(lastEventId.slice(dash + 1))
  return Number.isInteger(seq) ? seq : -1
}
