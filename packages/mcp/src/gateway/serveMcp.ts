import type { Agent } from '@gotong/agent'
import { serveStdio } from '@modelcontextprotocol/server/stdio'
import { type CreateMcpGatewayOptions, createMcpGateway, type McpGateway } from './createGateway.js'
import { type ListenHttpOptions, listenHttp } from './listenHttp.js'

export type ServeMcpOptions = CreateMcpGatewayOptions & {
  /** Streamable HTTP on this address instead of stdio. */
  http?: ListenHttpOptions
}

/**
 * Serves an agent's view of the gotong directory to MCP clients: over stdio (this process's
 * stdin and stdout, as a host that launches it expects) or over Streamable HTTP.
 *
 * @returns the gateway, the HTTP URL when serving HTTP, and `close()`.
 * @example
 * const agent = await createAgent({ account, network })
 * await serveMcp(agent, { config: { sessionBudget: '1', dailyBudget: '5' } }) // stdio
 */
export async function serveMcp(
  agent: Agent,
  options: ServeMcpOptions = {},
): Promise<{ gateway: McpGateway; url: string | undefined; close(): Promise<void> }> {
  const gateway = await createMcpGateway(agent, options)
  if (options.http) {
    const http = await listenHttp(gateway, options.http)
    return {
      gateway,
      url: http.url,
      async close() {
        gateway.close()
        await http.close()
      },
    }
  }
  const stdio = serveStdio(gateway.factory)
  return {
    gateway,
    url: undefined,
    async close() {
      gateway.close()
      await stdio.close()
    },
  }
}
