import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { McpWrapperError } from './errors.js'

/** Where the MCP server is: a command to spawn (stdio) or a Streamable HTTP endpoint. */
export type McpServerSource =
  | {
      command: string
      args?: readonly string[]
      /** Added to the SDK's safe default environment (PATH, HOME, ...). */
      env?: Record<string, string>
      cwd?: string
      /** The child's stderr: shown (default) or dropped. */
      stderr?: 'inherit' | 'ignore'
    }
  | { url: string | URL; headers?: Record<string, string> }

/** Timers and clock, injected so tests can drive the restart backoff. */
export type McpTimers = {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  now(): number
}

export type ConnectMcpServerParameters = {
  source: McpServerSource
  clientInfo: { name: string; version: string }
  /** Restart delays: the first, doubling up to the most (default 100 ms and 5 s). */
  restart: { initialDelayMs: number; maxDelayMs: number }
  timers: McpTimers
  /** Runs on every new connection before it serves calls: the first, and each restart. */
  prepare(client: Client): Promise<void>
  /** The server said its tool list changed. */
  onToolsChanged(client: Client): void
  /** The connection was lost (a crash); a restart is scheduled after `delayMs`. */
  onLost(delayMs: number): void
  /** A restart failed; the next is scheduled after `delayMs`. */
  onRestartFailed(error: unknown, delayMs: number): void
}

/** A live connection to an MCP server that restarts it when it dies. */
export type McpConnection = {
  /** The connected client; while the server restarts, waits for it (or for `signal`). */
  ready(signal?: AbortSignal): Promise<Client>
  /** The child process's id (stdio), while one runs. */
  readonly pid: number | undefined
  close(): Promise<void>
}

/**
 * Connects to an MCP server and keeps it connected: when the connection drops (a stdio child
 * crashed), it reconnects (re-spawns) with a doubling delay, and runs `prepare` on each new
 * connection before handing it out. Calls in flight when it drops fail.
 *
 * @throws McpWrapperError `MCP_CONNECT_FAILED` if the first connection or `prepare` fails
 * @example const connection = await connectMcpServer({ source: { command: 'node', args: ['server.js'] }, ... })
 */
export async function connectMcpServer(
  parameters: ConnectMcpServerParameters,
): Promise<McpConnection> {
  const { timers, restart } = parameters
  let closed = false
  let current: { client: Client; transport: unknown } | undefined
  let waiters: { resolve(client: Client): void; reject(error: unknown): void }[] = []
  let failures = 0
  let connectedAt = 0
  let timer: unknown
  let opening: Promise<unknown> | undefined

  const open = async () => {
    const client = new Client(parameters.clientInfo)
    let live = false
    let lostEarly = false
    let changedEarly = false
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      if (live) parameters.onToolsChanged(client)
      else changedEarly = true
    })
    client.onclose = () => {
      if (live && current?.client === client) lost()
      else lostEarly = true
    }
    const transport = transportFor(parameters.source)
    try {
      await client.connect(transport)
      await parameters.prepare(client)
    } catch (cause) {
      await client.close().catch(() => undefined)
      throw new McpWrapperError('MCP_CONNECT_FAILED', 'Could not connect to the MCP server.', {
        cause,
      })
    }
    if (lostEarly)
      throw new McpWrapperError(
        'MCP_CONNECT_FAILED',
        'The MCP server closed the connection while it was being set up.',
      )
    live = true
    current = { client, transport }
    connectedAt = timers.now()
    if (changedEarly) parameters.onToolsChanged(client)
    return client
  }

  const delay = () => Math.min(restart.initialDelayMs * 2 ** failures++, restart.maxDelayMs)

  const lost = () => {
    current = undefined
    if (closed) return
    // A server that stayed up a while starts again from the shortest delay; one that keeps
    // dying right after starting backs off.
    if (timers.now() - connectedAt >= restart.maxDelayMs) failures = 0
    const wait = delay()
    parameters.onLost(wait)
    timer = timers.setTimeout(reconnect, wait)
  }

  const reconnect = () => {
    timer = undefined
    if (closed) return
    opening = open().then(
      (client) => {
        opening = undefined
        if (closed) return client.close()
        for (const waiter of waiters.splice(0)) waiter.resolve(client)
      },
      (error) => {
        opening = undefined
        if (closed) return
        const wait = delay()
        parameters.onRestartFailed(error, wait)
        timer = timers.setTimeout(reconnect, wait)
      },
    )
  }

  await open()
  return {
    async ready(signal) {
      if (current) return current.client
      if (closed) throw unavailable()
      signal?.throwIfAborted()
      return new Promise<Client>((resolve, reject) => {
        const waiter = { resolve, reject }
        waiters.push(waiter)
        signal?.addEventListener('abort', () => {
          waiters = waiters.filter((w) => w !== waiter)
          reject(signal.reason)
        })
      })
    },
    get pid() {
      const transport = current?.transport
      return transport instanceof StdioClientTransport ? (transport.pid ?? undefined) : undefined
    },
    async close() {
      closed = true
      if (timer !== undefined) timers.clearTimeout(timer)
      for (const waiter of waiters.splice(0)) waiter.reject(unavailable())
      await opening
      const client = current?.client
      current = undefined
      await client?.close()
    },
  }
}

function transportFor(source: McpServerSource) {
  if ('url' in source)
    return new StreamableHTTPClientTransport(new URL(source.url), {
      ...(source.headers ? { requestInit: { headers: source.headers } } : {}),
    })
  return new StdioClientTransport({
    command: source.command,
    args: [...(source.args ?? [])],
    env: { ...getDefaultEnvironment(), ...source.env },
    stderr: source.stderr ?? 'inherit',
    ...(source.cwd ? { cwd: source.cwd } : {}),
  })
}

function unavailable() {
  return new McpWrapperError('MCP_SERVER_UNAVAILABLE', 'The MCP server wrapper is closed.')
}
