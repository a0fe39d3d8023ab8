import type { Agent, Amount, ServedTool, ServeOptions } from '@gotong/agent'
import { gotongTokenDecimals } from '@gotong/chain'
import { parseAmount } from '@gotong/core'
import type { Client } from '@modelcontextprotocol/client'
import { callMcpTool } from './callMcpTool.js'
import { connectMcpServer, type McpServerSource, type McpTimers } from './connectMcpServer.js'
import { McpWrapperError } from './errors.js'
import { listMcpTools } from './listMcpTools.js'
import { McpServerInfo } from './schemas.js'
import type { McpToolHandler } from './toGotongTool.js'
import { createToolRegistry, type McpToolChange, type WrappedMcpTool } from './toolRegistry.js'

/** Prices per MCP tool name; `default` prices every tool not named. A tool without one is not served. */
export type McpPrices = { readonly [toolName: string]: Amount }

/** What the wrapper warns about: a crash, a refused change, a failed publication. */
export type McpWrapperWarning = {
  code:
    | 'MCP_SERVER_CRASHED'
    | 'MCP_RESTART_FAILED'
    | 'MCP_LIST_FAILED'
    | 'MCP_TOOL_CHANGED'
    | 'MCP_TOOL_REMOVED'
    | 'MCP_TOOL_ADDED'
    | 'MCP_PUBLISH_FAILED'
  message: string
  cause?: unknown
}

export type WrapMcpServerOptions = {
  /** Price per call of each tool ("0.002" gUSD, or base units); `default` for the rest. */
  prices: McpPrices
  /**
   * Publish changed definitions (a new manifest version) and serve new tools, for tools served
   * through `serve()`. Off by default: a changed tool's calls are refused.
   */
  acceptChanges?: boolean
  /** Every change of the server's tool list, and what was done about it. */
  onChange?: (change: McpToolChange) => void
  /** By default a Node process warning (`GOTONG_<code>` on stderr). */
  onWarning?: (warning: McpWrapperWarning) => void
  /** Restart delays of a crashed server: the first, doubling up to the most (100 ms, 5 s). */
  restart?: { initialDelayMs?: number; maxDelayMs?: number }
  /** Timers and clock (injected in tests). */
  timers?: McpTimers
  /** How the wrapper introduces itself to the MCP server. */
  clientInfo?: { name: string; version: string }
}

export type WrappedMcpServer = {
  /** The server's name and version, as it introduced itself. */
  readonly server: McpServerInfo
  /** The tools that are priced and can be served. */
  readonly tools: readonly WrappedMcpTool[]
  /** Listed tools without a price: not served. */
  readonly unpriced: readonly string[]
  /** Listed tools that cannot be served (names a manifest cannot take, invalid definitions). */
  readonly refused: readonly { name: string | undefined; error: McpWrapperError }[]
  /** The stdio server's process id, while it runs. */
  readonly pid: number | undefined
  /**
   * Serves every tool on an agent at its price; the listings are kept, so accepted changes
   * can be published as new versions.
   */
  serve(
    agent: Pick<Agent, 'serve'>,
    options?: Omit<ServeOptions, 'price'>,
  ): Promise<ReadonlyMap<string, ServedTool>>
  /** Publications of accepted changes still under way, once they are done. */
  settled(): Promise<void>
  /** Closes the connection and stops the server process. */
  close(): Promise<void>
}

const systemTimers: McpTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
}

/**
 * Connects to an MCP server (spawned over stdio, or at a Streamable HTTP URL) and turns its
 * priced tools into paid gotong tools. Each call is forwarded as `tools/call` and answered with
 * the server's result, so the receipt's response hash covers it; a tool error charges nothing.
 * A tool whose definition changes is refused (unless `acceptChanges`); a crashed server is
 * restarted with backoff.
 *
 * @throws McpWrapperError `MCP_CONNECT_FAILED`, `MCP_PRICE_INVALID`
 * @example
 * const wrapped = await wrapMcpServer(
 *   { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything', 'stdio'] },
 *   { prices: { echo: '0.001', 'get-sum': '0.002' } },
 * )
 * const served = await wrapped.serve(agent) // or: agent.serve(t.tool, { price: t.price })
 * console.log(wrapped.unpriced) // the tools not sold
 */
export async function wrapMcpServer(
  source: McpServerSource,
  options: WrapMcpServerOptions,
): Promise<WrappedMcpServer> {
  const prices = parsePrices(options.prices)
  const timers = options.timers ?? systemTimers
  const warn = (code: McpWrapperWarning['code'], message: string, cause?: unknown) =>
    options.onWarning
      ? options.onWarning({ code, message, ...(cause === undefined ? {} : { cause }) })
      : process.emitWarning(message, { code: `GOTONG_${code}` })
  let connection: Awaited<ReturnType<typeof connectMcpServer>> | undefined
  // A re-list under way: calls wait for it, so none is forwarded on a definition just changed.
  let listing: Promise<unknown> = Promise.resolve()

  const handlerFor =
    (name: string): McpToolHandler =>
    async (input, { signal }) => {
      await listing
      const refusal = refusalOf(name)
      if (refusal) throw refusal
      const client = await (connection as NonNullable<typeof connection>).ready(signal)
      // Waiting out a restart re-listed the tools: check again.
      const late = refusalOf(name)
      if (late) throw late
      return callMcpTool(client, name, input, signal)
    }

  const registry = createToolRegistry({
    priceOf: (name) => prices.get(name) ?? prices.get('default'),
    acceptChanges: options.acceptChanges ?? false,
    handlerFor,
    onChange: (change) => options.onChange?.(change),
    onWarning: (code, message, cause) => warn(code as McpWrapperWarning['code'], message, cause),
  })
  const refusalOf = (name: string) => {
    const state = registry.entry(name)?.state
    return state === 'serving'
      ? undefined
      : new McpWrapperError(
          'MCP_TOOL_CHANGED',
          `The MCP tool "${name}" ${state === 'removed' ? 'is no longer listed' : 'changed since it was published'}; the call was refused.`,
        )
  }
  const relist = (client: Client) => {
    const run = listing.then(async () => {
      const info = McpServerInfo.safeParse(client.getServerVersion())
      registry.apply(
        await listMcpTools(client),
        info.success ? info.data : { name: 'unknown', version: 'unknown' },
      )
    })
    listing = run.catch(() => undefined)
    return run
  }

  connection = await connectMcpServer({
    source,
    clientInfo: options.clientInfo ?? { name: 'gotong-mcp-wrapper', version: '0.1.0' },
    restart: {
      initialDelayMs: options.restart?.initialDelayMs ?? 100,
      maxDelayMs: options.restart?.maxDelayMs ?? 5_000,
    },
    timers,
    prepare: relist,
    onToolsChanged: (client) =>
      void relist(client).catch((error) =>
        warn('MCP_LIST_FAILED', 'The MCP server’s changed tool list could not be read.', error),
      ),
    onLost: (delayMs) =>
      warn('MCP_SERVER_CRASHED', `The MCP server stopped; restarting it in ${delayMs} ms.`),
    onRestartFailed: (error, delayMs) =>
      warn(
        'MCP_RESTART_FAILED',
        `The MCP server did not restart; trying again in ${delayMs} ms.`,
        error,
      ),
  })
  const open = connection

  return {
    get server() {
      return registry.server
    },
    get tools() {
      return registry.tools
    },
    unpriced: registry.unpriced,
    refused: registry.refused,
    get pid() {
      return open.pid
    },
    serve: (agent, serveOptions = {}) => registry.serve(agent, serveOptions),
    async settled() {
      await registry.settled()
    },
    async close() {
      await open.close()
      await registry.settled()
    },
  }
}

function parsePrices(prices: McpPrices): Map<string, bigint> {
  const parsed = new Map<string, bigint>()
  for (const [name, amount] of Object.entries(prices)) {
    let units: unknown = amount
    let cause: unknown
    if (typeof amount === 'string')
      try {
        units = parseAmount(amount, gotongTokenDecimals)
      } catch (error) {
        cause = error
      }
    if (typeof units !== 'bigint' || units < 0n)
      throw new McpWrapperError('MCP_PRICE_INVALID', `The price of "${name}" is not an amount.`, {
        ...(cause === undefined ? {} : { cause }),
        details: 'A price is base units (a bigint) or a decimal string in gUSD ("0.002").',
      })
    parsed.set(name, units)
  }
  return parsed
}
