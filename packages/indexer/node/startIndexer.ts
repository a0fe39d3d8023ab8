import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { BaseError, parseWith } from '@gotong/core'
import { z } from 'zod'
import { IndexerParameters, indexerEnvironment } from './indexerEnv.js'
import { appRoot } from './runPonder.js'

/** What `startIndexer()` accepts. */
export const StartIndexerParameters = IndexerParameters.extend({
  /** Receives each line Ponder writes (stdout and stderr); ignored by default. */
  onLog: z.custom<(line: string) => void>((value) => typeof value === 'function').optional(),
  /** How long to wait for the API to answer, in ms (120 s by default). */
  startTimeoutMs: z.number().int().positive().optional(),
})
export type StartIndexerParameters = z.input<typeof StartIndexerParameters>

/** A running indexer. */
export type Indexer = {
  /** The search API's origin, for `createRemoteIndex({ url })`. */
  url: string
  /** The PostgreSQL schema it writes. */
  schema: string
  /** The Ponder process. */
  process: ChildProcess
  /** Resolves when the process has exited. */
  exited: Promise<number | null>
  /** Stops it (SIGTERM, then SIGKILL after 10 s) and waits for the exit. */
  stop(): Promise<void>
}

/** The indexer could not start, or stopped before its API answered. */
export class IndexerStartError extends BaseError {
  override name = 'IndexerStartError'
  constructor(reason: string, log: string[]) {
    super('INDEXER_START_FAILED', `The indexer did not start: ${reason}.`, {
      details: log.slice(-40).join('\n') || undefined,
    })
  }
}

/** The spawned entry, built (`dist/`) whether this module runs from its source or its build. */
const entry = fileURLToPath(new URL('../dist/ponderProcess.js', import.meta.url))

/**
 * Starts the shared directory indexer: Ponder (`ponder start`) in a child process, indexing
 * the deployment's ToolDirectory into PostgreSQL and serving the directory's search at `url`.
 * Telemetry is off. Restarted on the same schema with the same deployment, it resumes where it
 * stopped, at once even after `kill -9` (see `runPonder`).
 *
 * @example
 * const indexer = await startIndexer({ rpcUrl, deployments, databaseUrl, port: 0 })
 * const index = createRemoteIndex({ url: indexer.url })
 */
export async function startIndexer(parameters: StartIndexerParameters): Promise<Indexer> {
  const options = parseWith(StartIndexerParameters, parameters, 'indexer parameters')
  const hostname = options.hostname ?? '127.0.0.1'
  const port = options.port === 0 ? await freePort(hostname) : (options.port ?? 42_069)
  const { env, schema } = indexerEnvironment({ ...options, hostname, port })
  const log: string[] = []
  // Node flags for Ponder's process alone (`--cpu-prof` is refused in NODE_OPTIONS), after its
  // default: a young generation of 64 MB semi-spaces, since a backfill allocates a row object
  // per store call and V8's default sends far more of them through the old generation (the
  // collector's time fell from 35 to 29 s over 300,000 events in the directory bench).
  const nodeArgs = process.env.GOTONG_INDEXER_NODE_ARGS?.split(' ').filter(Boolean) ?? []
  const child = spawn(process.execPath, ['--max-semi-space-size=64', ...nodeArgs, entry], {
    cwd: appRoot,
    env: { ...process.env, PONDER_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  for (const stream of [child.stdout, child.stderr]) {
    let rest = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n')
      rest = lines.pop() ?? ''
      for (const line of lines) {
        log.push(line)
        if (log.length > 200) log.shift()
        options.onLog?.(line)
      }
    })
  }
  const url = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
  try {
    await waitForApi(url, exited, options.startTimeoutMs ?? 120_000, log)
  } catch (error) {
    await stop()
    throw error
  }
  return { url, schema, process: child, exited, stop }
}

/** Polls the directory's status route until it answers, failing if the process exits first. */
async function waitForApi(
  url: string,
  exited: Promise<number | null>,
  timeoutMs: number,
  log: string[],
) {
  let done: number | null | undefined
  void exited.then((code) => {
    done = code
  })
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (done !== undefined) throw new IndexerStartError(`Ponder exited with code ${done}`, log)
    const ok = await fetch(`${url}/directory/status`, { signal: AbortSignal.timeout(2_000) })
      .then((response) => response.ok)
      .catch(() => false)
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new IndexerStartError(`its API did not answer within ${timeoutMs} ms`, log)
}

function freePort(hostname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, hostname, () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
