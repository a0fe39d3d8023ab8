import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AgentCard } from '@a2a-js/sdk'
import type { A2aServer } from '../createA2aServer.js'

/** The largest JSON-RPC request read (1 MiB, as gotong's own routes). */
const maxBodyBytes = 1024 * 1024

/**
 * A node:http handler of A2A's JSON-RPC binding at one path: `POST` bodies up to 1 MiB, answered
 * by `server` (`createA2aServer`). Anything else is refused before the SDK sees it: another
 * method 405, a larger body 413.
 *
 * @example state.plainRoutes.set('/a2a', a2aHttpHandler(a2a))
 */
export function a2aHttpHandler(server: A2aServer) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST' }).end()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBodyBytes) {
        response.writeHead(413, { connection: 'close' }).end()
        request.destroy()
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => {
      if (response.headersSent) return
      server
        .handle(Buffer.concat(chunks).toString('utf8'), request.headers)
        .then((reply) => response.writeHead(200, reply.headers).end(reply.body))
        .catch(() => {
          if (!response.headersSent) response.writeHead(500).end()
        })
    })
  }
}

/**
 * A node:http handler of `/.well-known/agent-card.json`: the card as JSON with an `ETag` (a hash
 * of its bytes; `If-None-Match` gets 304) and a minute's `Cache-Control`, as A2A §8.6 asks.
 *
 * @example state.plainRoutes.set('/.well-known/agent-card.json', agentCardHttpHandler(() => a2a.card()))
 */
export function agentCardHttpHandler(card: () => AgentCard) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    const body = JSON.stringify(card())
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
    const headers = { etag, 'cache-control': 'public, max-age=60' }
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, headers).end()
      return
    }
    response.writeHead(200, { ...headers, 'content-type': 'application/json' })
    response.end(request.method === 'HEAD' ? undefined : body)
  }
}
