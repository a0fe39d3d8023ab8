import { WireError } from '@gotong/core'
import type { Address } from 'viem'
import { ConnectionResetError } from '../errors/transport.js'
import type { Reply } from '../server/reply.js'
import {
  type CreateTransportClientParameters,
  createTransportClient,
  type TransportClient,
} from './createTransportClient.js'
import { createNodeHttpPost, isReset, type Post } from './nodeHttpPost.js'

/** Where each peer listens: a map from address to base URL, or a lookup (a directory, a card). */
export type Peers =
  | Readonly<Record<string, string>>
  | ((address: Address) => string | undefined | Promise<string | undefined>)

export type CreateHttpClientParameters = Omit<CreateTransportClientParameters, 'send'> & {
  peers: Peers
  /**
   * Sends with this `fetch`. Without it: `node:http` with a keep-alive pool in Node (several
   * times cheaper per call than Node's `fetch`), `globalThis.fetch` elsewhere.
   */
  fetch?: typeof globalThis.fetch | undefined
  /** In Node, without `fetch`: open connections per peer at most. Default 256. */
  maxConnections?: number | undefined
}

/**
 * A transport client over HTTP: each request is a JSON `POST` to `<peer base URL>/<route>`. Runs
 * in Node (on `node:http`, connections kept alive), browsers and workers (on `fetch`). A peer
 * with no known URL, or one that refuses the connection, is a `WireError` with reason
 * `unavailable`. A connection reset before any reply byte is retried once (see
 * `createTransportClient`).
 *
 * @example
 * const client = createHttpClient({ signer: account, chainId: 31337, peers: { [peer]: url } })
 * const result = await client.request(peer, 'echo', { text: 'hi' })
 */
export function createHttpClient(parameters: CreateHttpClientParameters): TransportClient {
  const { peers } = parameters
  let lookup: (address: Address) => string | undefined | Promise<string | undefined>
  if (typeof peers === 'function') lookup = peers
  else {
    const table = new Map(Object.entries(peers).map(([key, url]) => [key.toLowerCase(), url]))
    lookup = (address) => table.get(address.toLowerCase())
  }
  const post =
    (parameters.fetch === undefined
      ? createNodeHttpPost({ maxConnections: parameters.maxConnections ?? 256, idleMs: 30_000 })
      : undefined) ?? fetchPost(parameters.fetch ?? globalThis.fetch)
  return createTransportClient({
    ...parameters,
    async send({ to, route, text, signal }) {
      const base = await lookup(to)
      if (base === undefined)
        throw new WireError('unavailable', `No known endpoint for ${to}`, { data: { peer: to } })
      try {
        return await post(`${base.replace(/\/+$/, '')}/${route}`, text, signal)
      } catch (error) {
        if (signal.aborted || error instanceof ConnectionResetError) throw error
        throw new WireError('unavailable', `Could not reach ${to} at ${base}`, {
          data: { peer: to, url: base },
          cause: error,
        })
      }
    },
  })
}

/** A `Post` over a `fetch`; a reset connection is a `ConnectionResetError` (socket reuse unknown). */
function fetchPost(fetch: typeof globalThis.fetch): Post {
  return async (url, text, signal): Promise<Reply> => {
    let response: Response
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: text,
        signal,
      })
    } catch (error) {
      if (!signal.aborted && isReset(error))
        throw new ConnectionResetError(url, { reusedSocket: false, cause: error })
      throw error
    }
    return { status: response.status, body: await response.text() }
  }
}
