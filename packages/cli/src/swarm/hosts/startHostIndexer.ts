import { type ChildProcess, spawn } from 'node:child_process'
import { CliError } from '../../commands/agentOptions.js'
import { hostFor, type SwarmHosts } from './createHosts.js'
import { gotongOnHost } from './gotongOnHost.js'

/** The shared indexer's port on the chain's host (the host is the run's own: nothing else binds it). */
const indexerPort = 42_069

/** A running shared indexer: its URL, for `createAgent({ index: { url } })`, and how to stop it. */
export type HostIndexer = { url: string; stop(): Promise<void> }

/**
 * Starts the shared directory indexer (`gotong indexer start`: Ponder on the run's PostgreSQL) on
 * the chain's host, listening on that host's address, and resolves once its search API answers
 * from here (another host). It dies with this process, as every process on the hosts does.
 *
 * @example const indexer = await startHostIndexer(hosts, { rpcUrl, deploymentsFile, log })
 */
export async function startHostIndexer(
  hosts: SwarmHosts & { databaseUrl: string },
  chain: { rpcUrl: string; deploymentsFile: string },
  log: (line: string) => void,
): Promise<HostIndexer> {
  const host = hostFor(hosts, 'chain')
  const url = `http://${host.address}:${indexerPort}`
  const [command = process.execPath, ...args] = await gotongOnHost(host, [
    ...['indexer', 'start', '--rpc', chain.rpcUrl, '--deployments', chain.deploymentsFile],
    ...['--database-url', hosts.databaseUrl, '--host', host.address],
    ...['--port', String(indexerPort), '--polling-interval', '100'],
  ])
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  for (const stream of [child.stdout, child.stderr])
    stream.on('data', (chunk: Buffer) => {
      // Not Ponder's INFO lines (`gotong indexer start` logs at info): one per indexed block
      // would drown the swarm's own.
      for (const line of chunk.toString().split('\n'))
        if (line.trim() && !/^\S+ INFO /.test(line.trim())) log(line.trim())
    })
  const stop = () => terminate(child)
  try {
    await answering(url, child)
  } catch (error) {
    await stop()
    throw error
  }
  return { url, stop }
}

async function answering(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break
    const ok = await fetch(`${url}/directory/status`, { signal: AbortSignal.timeout(2_000) })
      .then((response) => response.ok)
      .catch(() => false)
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new CliError(
    'HOSTS_INDEXER_FAILED',
    `The shared indexer on the chain's host did not answer at ${url}.`,
    'Its lines above say why (Ponder, PostgreSQL).',
  )
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
