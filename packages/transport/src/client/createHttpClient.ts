import { WireError } from '@gotong/core'
import type { Address } from 'viem'
import {
  type CreateTransportClientParameters,
  createTransportClient,
  type TransportClient,
} from './createTransportClient.js'

/** Where each peer listens: a map from address to base URL, or a lookup (a directory, a card). */
export type Peers =
  | Readonly<Record<string, string>>
  | ((address: Address) => string | undefined | Promise<string | undefined>)

export type CreateHttpClientParameters = Omit<CreateTransportClientParameters, 'send'> & {
  peers: Peers
  /** `globalThis.fetch` by default. */
  fetch?: typeof globalThis.fetch | undefined
}

/**
 * A transport client over HTTP: each request is a JSON `POST` to `<peer base URL>/<route>`.
 * Uses `fetch`, so it runs in Node, browsers and workers. A peer with no known URL, or one that
 * refuses the connection, is a `WireError` with reason `unavailable`.
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
  const fetch = parameters.fetch ?? globalThis.fetch
  return createTransportClient({
    ...parameters,
    async send({ to, route, text, signal }) {
      const base = await lookup(to)
      if (base === undefined)
        throw new WireError('unavailable', `No known endpoint for ${to}`, { data: { peer: to } })
      const url = `${base.replace(/\/+$/, '')}/${route}`
      let response: Response
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: text,
          signal,
        })
      } catch (error) {
        if (signal.aborted) throw error
        throw new WireError('unavailable', `Could not reach ${to} at ${base}`, {
          data: { peer: to, url: base },
          cause: error,
        })
      }
      return { status: response.status, body: await response.text() }
    },
  })
}
