import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { Address } from 'viem'
import {
  type CreateHttpClientParameters,
  type CreateTransportClientParameters,
  createBus,
  createBusClient,
  createHttpApp,
  createHttpClient,
  type Reply,
  type TransportClient,
  type TransportServer,
} from '../src/index.js'
import { serveHttp } from '../src/node.js'

type ClientParameters = Omit<CreateTransportClientParameters, 'send'>

/** One way of carrying requests (real loopback HTTP, or the in-process bus), as the suite sees it. */
export type Kit = {
  /** Hosts a server; peers reach it by its address from then on. */
  host(server: TransportServer): Promise<void>
  client(parameters: ClientParameters): TransportClient
  /** A client whose peer `to` cannot be reached (a closed port; an address not on the bus). */
  unreachable(parameters: ClientParameters, to: Address): Promise<TransportClient>
  /** Sends raw request text to `to`'s `route`: the bytes on the wire and the bytes back. */
  raw(to: Address, route: string, text: string): Promise<Reply>
  close(): Promise<void>
}

/** Serves the Hono face of a server (`createHttpApp`) with `@hono/node-server`, as a worker would. */
async function serveHono(server: TransportServer) {
  const app = createHttpApp(server)
  const http = await new Promise<Server>((resolve) => {
    const listening = serve(
      { fetch: app.fetch, hostname: '127.0.0.1', port: 0, overrideGlobalObjects: false },
      () => resolve(listening as Server),
    )
  })
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve())
        http.closeAllConnections()
      }),
  }
}

function httpKit(options: { hono: boolean; fetch: boolean }): Kit {
  const urls = new Map<string, string>()
  const listeners: { close(): Promise<void> }[] = []
  const http = (parameters: ClientParameters & { peers: CreateHttpClientParameters['peers'] }) =>
    createHttpClient(options.fetch ? { ...parameters, fetch: globalThis.fetch } : parameters)
  return {
    async host(server) {
      const listener = options.hono ? await serveHono(server) : await serveHttp(server, { port: 0 })
      listeners.push(listener)
      urls.set(server.address.toLowerCase(), listener.url)
    },
    client: (parameters) =>
      http({ ...parameters, peers: (address) => urls.get(address.toLowerCase()) }),
    async unreachable(parameters, to) {
      const { createTransportServer } = await import('../src/index.js')
      const closed = await serveHttp(createTransportServer({ address: to, chainId: 1 }))
      await closed.close()
      return http({ ...parameters, peers: { [to]: closed.url } })
    },
    async raw(to, route, text) {
      const response = await fetch(`${urls.get(to.toLowerCase())}/${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: text,
      })
      return { status: response.status, body: await response.text() }
    },
    async close() {
      await Promise.all(listeners.map((listener) => listener.close()))
    },
  }
}

/**
 * `http`: `createHttpClient` on `node:http` against `serveHttp`; `fetch`: the client on `fetch`
 * against `createHttpApp` (Hono), the pair a browser and a worker would use; `bus`: in process.
 */
export const kits: Record<'http' | 'fetch' | 'bus', () => Kit> = {
  http: () => httpKit({ hono: false, fetch: false }),
  fetch: () => httpKit({ hono: true, fetch: true }),
  bus() {
    const bus = createBus()
    const listeners: { close(): Promise<void> }[] = []
    return {
      async host(server) {
        listeners.push(bus.serve(server))
      },
      client: (parameters) => createBusClient({ ...parameters, bus }),
      async unreachable(parameters) {
        return createBusClient({ ...parameters, bus })
      },
      raw: (to, route, text) => bus.send({ to, route, text, signal: new AbortController().signal }),
      async close() {
        await Promise.all(listeners.map((listener) => listener.close()))
      },
    }
  },
}
