import { WireError } from '@gotong/core'
import type { Address } from 'viem'
import type { Send } from '../client/createTransportClient.js'
import { TransportConflictError } from '../errors/transport.js'
import type { TransportServer } from '../server/createTransportServer.js'

/** A hosted server; `close()` stops answering. */
export type Listener = { close(): Promise<void> }

/**
 * An in-process network: servers are reached by address, requests travel as the same JSON text
 * as over HTTP and pass the same checks, with no sockets.
 */
export type Bus = {
  /** Hosts `server` under its address until the listener is closed. */
  serve(server: TransportServer): Listener
  /** Delivers a request's text to the server of `to` (what `createBusClient` sends with). */
  send: Send
  /** The addresses served now. */
  peers(): Address[]
}

/**
 * Creates an in-process bus for agents of one process (a swarm in one test or script).
 *
 * @example
 * const bus = createBus()
 * bus.serve(createTransportServer({ address: provider.address, chainId }).handle(...))
 * const client = createBusClient({ bus, signer: consumer, chainId })
 */
export function createBus(): Bus {
  const servers = new Map<string, TransportServer>()
  return {
    serve(server) {
      const key = server.address.toLowerCase()
      if (servers.has(key))
        throw new TransportConflictError(`${server.address} is already served on this bus.`)
      servers.set(key, server)
      return {
        async close() {
          if (servers.get(key) === server) servers.delete(key)
        },
      }
    },
    send({ to, route, text, signal }) {
      const server = servers.get(to.toLowerCase())
      if (!server)
        return Promise.reject(
          new WireError('unavailable', `${to} is not on this bus`, { data: { peer: to } }),
        )
      return new Promise((resolve, reject) => {
        const onAbort = () => reject(signal.reason)
        if (signal.aborted) return onAbort()
        signal.addEventListener('abort', onAbort, { once: true })
        server.receive(text, { route }).then((reply) => {
          signal.removeEventListener('abort', onAbort)
          resolve(reply)
        })
      })
    },
    peers() {
      return [...servers.values()].map((server) => server.address)
    },
  }
}
