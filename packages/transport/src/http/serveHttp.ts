import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseWith, toWireError } from '@gotong/core'
import { z } from 'zod'
import type { Listener } from '../bus/createBus.js'
import type { TransportServer } from '../server/createTransportServer.js'
import { errorReply, fail, type Reply } from '../server/reply.js'
import { limitPeers } from './limitPeers.js'
import { type Drain, refuseAndClose } from './refuseAndClose.js'

export type ServeHttpParameters = {
  /** Default `127.0.0.1`. */
  host?: string | undefined
  /** Default 0: a free port, reported in `url`. */
  port?: number | undefined
  /**
   * How long a connection may take to send a request's headers (from its first byte, or from
   * opening for a new connection) before it is answered 408 and closed. Default 10 s.
   */
  headersTimeoutMs?: number | undefined
  /**
   * How long a connection may take to send a whole request, headers and body, before it is
   * answered 408 and closed; at least `headersTimeoutMs`. The handler's own time does not count.
   * Default 30 s: a 1 MiB body at 35 KB/s.
   */
  requestTimeoutMs?: number | undefined
  /**
   * How long an idle keep-alive connection stays open. Default 65 s: well past what clients
   * keep idle sockets (4 s for `fetch`, 30 s for `createHttpClient`), so a client is not the one
   * to reuse a socket as it closes here.
   */
  keepAliveTimeoutMs?: number | undefined
  /**
   * Open connections at most, from everyone; past it new ones are closed as they open.
   * Default 8,192.
   */
  maxConnections?: number | undefined
  /**
   * Open connections at most from one peer (an IPv4 address or an IPv6 /64); past it its new
   * ones are closed as they open. Default 1,024: a `createHttpClient` pools up to 256 per peer,
   * and agents on one host share its address.
   */
  maxConnectionsPerPeer?: number | undefined
  /**
   * After refusing an oversized body, how long the rest of the upload is read and discarded (so
   * the 413 is not lost to a reset) before the connection is closed. Default 5 s.
   */
  drainTimeoutMs?: number | undefined
  /** …and how many bytes of it at most. Default 64 MiB. */
  drainMaxBytes?: number | undefined
  /**
   * Plain HTTP beside the signed routes (an x402 face, an agent card, an event stream): asked
   * first about every request; one it answers (returning true) is not read as an envelope. It
   * gets the same timeouts and connection caps; its body limits are its own.
   */
  plain?: ((request: IncomingMessage, response: ServerResponse) => boolean) | undefined
}

const Limits = z
  .object({
    headersTimeoutMs: z.int().positive().default(10_000),
    requestTimeoutMs: z.int().positive().default(30_000),
    keepAliveTimeoutMs: z.int().positive().default(65_000),
    maxConnections: z.int().positive().default(8_192),
    maxConnectionsPerPeer: z.int().positive().default(1_024),
    drainTimeoutMs: z.int().nonnegative().default(5_000),
    drainMaxBytes: z
      .int()
      .nonnegative()
      .default(64 * 1024 * 1024),
  })
  .refine((limits) => limits.headersTimeoutMs <= limits.requestTimeoutMs, {
    message: 'headersTimeoutMs must not exceed requestTimeoutMs',
    path: ['headersTimeoutMs'],
  })

/** A running HTTP server; `url` is the base URL peers put in their `peers` table. */
export type HttpListener = Listener & { url: string; port: number }

/**
 * Serves a transport server over HTTP on Node: `POST /<route>` with the signed request as JSON,
 * replies as JSON with the wire code as status, the same bytes as `createHttpApp`. It is a plain
 * `node:http` handler (no Request/Response objects per call). Bodies over the server's
 * `maxBodyBytes` are refused (413) before they are read, and the connection closed without
 * losing the answer. Slow or idle connections are closed past their timeouts, and connections
 * are capped per peer and in all. Resolves once listening; `close()` stops accepting, drops
 * open connections and resolves when closed.
 *
 * @example
 * const { url, close } = await serveHttp(server, { port: 0 })
 * const client = createHttpClient({ signer, chainId, peers: { [server.address]: url } })
 */
export async function serveHttp(
  server: TransportServer,
  parameters: ServeHttpParameters = {},
): Promise<HttpListener> {
  const { host = '127.0.0.1', port = 0, plain, ...given } = parameters
  const limits = parseWith(Limits, given, 'serveHttp parameters')
  const drain: Drain = { timeoutMs: limits.drainTimeoutMs, maxBytes: limits.drainMaxBytes }
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    if (plain?.(request, response)) return
    handle(server, request, response, drain).catch((error: unknown) => {
      send(response, errorReply(toWireError(error)))
    })
  }
  const http = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often Node looks for connections past their header or request timeout (30 s by
      // default, which would let a slow connection stay that much longer).
      connectionsCheckingInterval: Math.max(
        10,
        Math.min(1_000, Math.ceil(limits.headersTimeoutMs / 4)),
      ),
    },
    onRequest,
  )
  http.maxConnections = limits.maxConnections
  limitPeers(http, limits.maxConnectionsPerPeer)
  // `Expect: 100-continue`: a body declared too large is refused before the client sends it.
  http.on('checkContinue', (request, response) => {
    if (!(Number(request.headers['content-length']) > server.maxBodyBytes)) response.writeContinue()
    onRequest(request, response)
  })
  return new Promise((resolve, reject) => {
    http.once('error', reject)
    http.listen(port, host, () => {
      http.off('error', reject)
      const { port } = http.address() as AddressInfo
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        close: () => close(http),
      })
    })
  })
}

async function handle(
  server: TransportServer,
  request: IncomingMessage,
  response: ServerResponse,
  drain: Drain,
) {
  const url = request.url ?? '/'
  const end = url.indexOf('?')
  const path = end === -1 ? url : url.slice(0, end)
  if (request.method !== 'POST' || path.length < 2 || path[0] !== '/') {
    send(response, fail('not_found', `No route for ${request.method} ${path}`))
    return
  }
  let route: string
  try {
    route = decodeURIComponent(path.slice(1))
  } catch {
    route = path.slice(1)
  }
  const max = server.maxBodyBytes
  const tooLarge = () =>
    fail('payload_too_large', `Requests are limited to ${max} bytes`, { maxBodyBytes: max })
  const declared = Number(request.headers['content-length'])
  if (declared > max) {
    refuseAndClose(request, response, tooLarge(), drain)
    return
  }
  const text = await readBody(request, max)
  if (text === undefined) {
    refuseAndClose(request, response, tooLarge(), drain)
    return
  }
  send(response, await server.receive(text, { route }))
}

/** The body as UTF-8 text, or `undefined` once it passes `max` bytes (the rest is not kept). */
function readBody(request: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > max) {
        request.off('data', onData)
        request.off('end', onEnd)
        chunks.length = 0
        resolve(undefined)
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () =>
      resolve(
        chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
      )
    request.on('data', onData)
    request.on('end', onEnd)
    request.on('error', reject)
  })
}

function send(response: ServerResponse, reply: Reply) {
  if (response.headersSent) {
    response.destroy()
    return
  }
  response.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(reply.body),
  })
  response.end(reply.body)
}

function close(http: Server): Promise<void> {
  return new Promise<void>((done, fail) => {
    http.close((error) => (error ? fail(error) : done()))
    http.closeAllConnections()
  })
}
