import { type ClientRequest, request } from 'node:http'
import { request as requestTls } from 'node:https'

export type ConnectStreamParameters = {
  /** The agent's base URL; its stream is at `/events`. */
  url: string
  /** Sent as `Authorization: Bearer …` to an agent that asks for one. */
  token?: string | undefined
  /** Each event's data, as sent. */
  onData(data: string): void
  /** Connected, or lost (then retried). */
  onStatus?(status: 'open' | 'retrying' | 'refused', detail?: string): void
  /** Wait before reconnecting (default 1,000 ms). */
  retryMs?: number
}

/**
 * Reads an agent's Server-Sent Events and keeps reading: a dropped stream is reopened with
 * `Last-Event-ID`, so nothing is read twice or missed while the agent's buffer holds it. A
 * refusal (401, 403) is reported and not retried.
 *
 * @example const close = connectStream({ url: agent.url, onData: (data) => hub.push(data) })
 */
export function connectStream(parameters: ConnectStreamParameters): () => void {
  let lastId: string | undefined
  let closed = false
  let current: ClientRequest | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const retry = (detail: string) => {
    if (closed) return
    parameters.onStatus?.('retrying', detail)
    timer = setTimeout(open, parameters.retryMs ?? 1_000)
    timer.unref()
  }
  const open = () => {
    if (closed) return
    const target = new URL(
      'events',
      parameters.url.endsWith('/') ? parameters.url : `${parameters.url}/`,
    )
    const send = target.protocol === 'https:' ? requestTls : request
    // One retry per connection, whichever way it was lost (error, end, close).
    let lost = false
    const lose = (detail: string) => {
      if (lost) return
      lost = true
      retry(detail)
    }
    current = send(
      target,
      {
        headers: {
          accept: 'text/event-stream',
          ...(lastId ? { 'last-event-id': lastId } : {}),
          ...(parameters.token ? { authorization: `Bearer ${parameters.token}` } : {}),
        },
      },
      (response) => {
        if (response.statusCode === 401 || response.statusCode === 403) {
          parameters.onStatus?.('refused', `HTTP ${response.statusCode}`)
          response.resume()
          return
        }
        if (response.statusCode !== 200) {
          response.resume()
          lose(`HTTP ${response.statusCode}`)
          return
        }
        parameters.onStatus?.('open')
        response.setEncoding('utf8')
        let buffer = ''
        response.on('data', (chunk: string) => {
          buffer += chunk
          let end = buffer.indexOf('\n\n')
          while (end >= 0) {
            readFrame(buffer.slice(0, end))
            buffer = buffer.slice(end + 2)
            end = buffer.indexOf('\n\n')
          }
        })
        response.on('error', (error) => lose(error.message))
        response.on('close', () => lose('the stream ended'))
      },
    )
    current.on('error', (error) => lose(error.message))
    current.end()
  }
  const readFrame = (frame: string) => {
    let data = ''
    for (const line of frame.split('\n')) {
      if (line.startsWith('id: ')) lastId = line.slice(4)
      else if (line.startsWith('data: ')) data += data ? `\n${line.slice(6)}` : line.slice(6)
    }
    if (data) parameters.onData(data)
  }
  open()
  return () => {
    closed = true
    if (timer) clearTimeout(timer)
    current?.destroy()
  }
}
