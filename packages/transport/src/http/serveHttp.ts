import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { toWireError } from '@gotong/core'
import type { Listener } from '../bus/createBus.js'
import type { TransportServer } from '../server/createTransportServer.js'
import { errorReply, fail, type Reply } from '../server/reply.js'

export type ServeHttpParameters = {
  /** Default `127.0.0.1`. */
  host?: string | undefined
  /** Default 0: a free port, reported in `url`. */
  port?: number | undefined
  /**
   * How long an idle keep-alive connection stays open. Default 65 s: well past what clients
   * keep idle sockets (4 s for `fetch`), so a client is not the one to reuse a socket as it
   * closes here.
   */
  keepAliveTimeoutMs?: number | undefined
}

/** A running HTTP server; `url` is the base URL peers put in their `peers` table. */
export type HttpListener = Listener & { url: string; port: number }

/**
 * Serves a transport server over HTTP on Node: `POST /<route>` with the signed request as JSON,
 * replies as JSON with the wire code as status, the same bytes as `createHttpApp`. It is a plain
 * `node:http` handler (no Request/Response objects per call). Bodies over the server's
 * `maxBodyBytes` are refused (413) before they are read. Resolves once listening; `close()` stops
 * accepting, drops keep-alive connections and resolves when closed.
 *
 * @example
 * const { url, close } = await serveHttp(server, { port: 0 })
 * const client = createHttpClient({ signer, chainId, peers: { [server.address]: url } })
 */
export function serveHttp(
  server: TransportServer,
  parameters: ServeHttpParameters = {},
): Promise<HttpListener> {
  const host = parameters.host ?? '127.0.0.1'
  const http = createServer(
    { keepAliveTimeout: parameters.keepAliveTimeoutMs ?? 65_000 },
    (request, response) => {
      handle(server, request, response).catch((error: unknown) => {
        send(response, errorReply(toWireError(error)))
      })
    },
  )
  return new Promise((resolve, reject) => {
    http.once('error', reject)
    http.listen(parameters.port ?? 0, host, () => {
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

async function handle(server: TransportServer, request: IncomingMessage, response: ServerResponse) {
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
    refuse(request, response, tooLarge())
    return
  }
  const text = await readBody(request, max)
  if (text === undefined) {
    refuse(request, response, tooLarge())
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

/**
 * Answers before the body is read, then closes the connection: the rest of an oversized body
 * is discarded as it arrives rather than kept, and the socket is not reused.
 */
function refuse(request: IncomingMessage, response: ServerResponse, reply: Reply) {
  response.shouldKeepAlive = false
  send(response, reply)
  request.resume()
}

function close(http: Server): Promise<void> {
  return new Promise<void>((done, fail) => {
    http.close((error) => (error ? fail(error) : done()))
    http.closeAllConnections()
  })
}
