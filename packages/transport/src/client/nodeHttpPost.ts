import type * as NodeHttp from 'node:http'
import { WireError } from '@gotong/core'
import { builtin } from '../envelope/native.js'
import { ConnectionResetError } from '../errors/transport.js'
import type { Reply } from '../server/reply.js'

/** POSTs JSON text and resolves to the reply; rejects when `signal` aborts. */
export type Post = (url: string, text: string, signal: AbortSignal) => Promise<Reply>

/** Socket errors that mean the connection went away under the request. */
const resetCodes = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET'])

/** Whether an error says the connection was reset (for `fetch`: in its `cause`). */
export function isReset(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && resetCodes.has(code)) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

/**
 * A `Post` over `node:http`/`node:https` with a keep-alive pool per client, or `undefined`
 * outside Node. Several times cheaper per call than Node's `fetch` (no WHATWG Request, Response
 * or stream objects). Pooled sockets are unref'd while idle (they do not keep a process alive),
 * follow the server's `Keep-Alive: timeout` hint and are dropped after `idleMs` otherwise.
 */
export function createNodeHttpPost(parameters: {
  maxConnections: number
  idleMs: number
}): Post | undefined {
  const http = builtin<typeof NodeHttp>('node:http')
  const https = builtin<typeof NodeHttp>('node:https')
  if (!http || !https) return undefined
  const options = {
    keepAlive: true,
    maxSockets: parameters.maxConnections,
    timeout: parameters.idleMs,
    scheduling: 'lifo' as const,
  }
  const agents = { http: new http.Agent(options), https: new https.Agent(options) }
  // Where each URL points, parsed once: a client calls few peers on few routes.
  const targets = new Map<
    string,
    { secure: boolean; hostname: string; port: string; path: string }
  >()
  const target = (url: string) => {
    let found = targets.get(url)
    if (!found) {
      const parsed = new URL(url)
      found = {
        secure: parsed.protocol === 'https:',
        hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: parsed.port,
        path: `${parsed.pathname}${parsed.search}`,
      }
      if (targets.size >= 1024) targets.clear()
      targets.set(url, found)
    }
    return found
  }
  return (url, text, signal) =>
    new Promise<Reply>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason)
        return
      }
      const { secure, hostname, port, path } = target(url)
      const request = (secure ? https : http).request({
        method: 'POST',
        hostname,
        port,
        path,
        agent: secure ? agents.https : agents.http,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        },
      })
      // A listener of our own rather than `signal` in the options: Node's costs ~15 µs a call.
      const abort = () => request.destroy(signal.reason)
      signal.addEventListener('abort', abort, { once: true })
      request.on('close', () => signal.removeEventListener('abort', abort))
      let answered = false
      request.on('response', (response) => {
        answered = true
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body:
              chunks.length === 1
                ? chunks[0]!.toString('utf8')
                : Buffer.concat(chunks).toString('utf8'),
          }),
        )
        response.on('error', reject)
        response.on('close', () => {
          if (!response.complete)
            reject(new WireError('unavailable', `The connection to ${url} closed mid-reply`))
        })
      })
      request.on('error', (error) => {
        if (!answered && !signal.aborted && isReset(error))
          reject(
            new ConnectionResetError(url, { reusedSocket: request.reusedSocket, cause: error }),
          )
        else reject(error)
      })
      // A socket timeout (idle or slow) is no error here: the caller's own timer decides.
      request.on('timeout', () => {})
      request.end(text)
    })
}
