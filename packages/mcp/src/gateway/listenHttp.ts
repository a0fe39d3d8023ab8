import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  localhostHostValidation,
  localhostOriginValidation,
  toNodeHandler,
} from '@modelcontextprotocol/node'
import { createMcpHandler } from '@modelcontextprotocol/server'
import type { McpGateway } from './createGateway.js'

export type ListenHttpOptions = {
  /** Loopback by default: the gateway spends its agent's money for whoever reaches it. */
  host?: string
  /** 0 (default) picks a free port. */
  port?: number
  /** Where MCP is served (default `/mcp`). */
  path?: string
}

/**
 * Serves the gateway over Streamable HTTP (both 2026-07-28 and 2025-era clients), with the
 * SDK's Host and Origin checks in front of it against DNS rebinding.
 *
 * @example
 * const { url, close } = await listenHttp(gateway, { port: 8788 }) // http://127.0.0.1:8788/mcp
 */
export async function listenHttp(
  gateway: McpGateway,
  options: ListenHttpOptions = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1'
  const path = options.path ?? '/mcp'
  // One JSON body per call: the gateway sends nothing mid-call (a 2026-07-28 confirmation is an
  // input_required result), and a stream costs about 1 ms a call here.
  const handler = createMcpHandler(gateway.factory, { responseMode: 'json' })
  const stopNotifying = gateway.onToolsChanged(() => handler.notify.toolsChanged())
  const serve = toNodeHandler(handler)
  const validHost = localhostHostValidation()
  const validOrigin = localhostOriginValidation()
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== path) {
      res.writeHead(404).end()
      return
    }
    if (!validHost(req, res) || !validOrigin(req, res)) return
    // Node's request is what the adapter reads; its optional fields differ only in typing.
    void serve(req as Parameters<typeof serve>[0], res)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`,
    async close() {
      stopNotifying()
      await handler.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
