import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { Listener } from '../bus/createBus.js'
import type { TransportServer } from '../server/createTransportServer.js'
import { createHttpApp } from './createHttpApp.js'

export type ServeHttpParameters = {
  /** Default `127.0.0.1`. */
  host?: string | undefined
  /** Default 0: a free port, reported in `url`. */
  port?: number | undefined
}

/** A running HTTP server; `url` is the base URL peers put in their `peers` table. */
export type HttpListener = Listener & { url: string; port: number }

/**
 * Serves a transport server over HTTP on Node (`@hono/node-server`). Resolves once listening;
 * `close()` stops accepting, drops idle keep-alive connections and resolves when closed.
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
  const app = createHttpApp(server)
  return new Promise((resolve, reject) => {
    const http = serve({
      fetch: app.fetch,
      hostname: host,
      port: parameters.port ?? 0,
      // A library must not swap the process's global Request and Response.
      overrideGlobalObjects: false,
    }) as Server
    http.once('error', reject)
    http.once('listening', () => {
      http.off('error', reject)
      const { port } = http.address() as AddressInfo
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done, fail) => {
            http.close((error) => (error ? fail(error) : done()))
            http.closeAllConnections()
          }),
      })
    })
  })
}
