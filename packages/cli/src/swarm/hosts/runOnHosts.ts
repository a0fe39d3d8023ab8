import { spawn } from 'node:child_process'
import { testNetworkVariable } from '@gotong/core'
import { createHosts, hostFor, requireRoot } from './createHosts.js'
import { gotongOnHost } from './gotongOnHost.js'
import { startHostPostgres } from './hostPostgres.js'
import { hostsPrefix, removeHosts } from './removeHosts.js'

const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
const signalNumbers: Record<(typeof signals)[number], number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGTERM: 15,
}

/**
 * `gotong swarm --hosts 3`: makes the hosts, runs the same command again on the consumers'
 * host (with `--on-hosts`, so it runs the swarm there instead), and removes the hosts when it
 * ends, whether it succeeded, failed or was stopped by SIGINT, SIGTERM or SIGHUP (forwarded to
 * it as SIGTERM). The swarm inside gets `GOTONG_TEST_NETWORK` set to the hosts' range, which
 * lets its agents publish and accept plain-http endpoints on those hosts (and no others).
 *
 * @param argv This command's arguments, after `node` and the script.
 * @param log Where to say which host is which.
 * @returns The exit code: the swarm's, or 128 + the signal's number when stopped.
 */
export async function runOnHosts(argv: readonly string[], log: (line: string) => void) {
  requireRoot()
  let stopped: (typeof signals)[number] | undefined
  let child: ReturnType<typeof spawn> | undefined
  const handlers = signals.map((name) => {
    const handler = () => {
      stopped ??= name
      child?.kill('SIGTERM')
    }
    process.on(name, handler)
    return () => process.off(name, handler)
  })
  try {
    const made = await createHosts()
    for (const h of made.hosts)
      log(`host ${h.role}: ${h.address} (network namespace ${h.namespace})`)
    const databaseUrl = stopped ? undefined : await startHostPostgres(made)
    log(
      databaseUrl
        ? `host chain: PostgreSQL for the shared indexer at ${databaseUrl}`
        : 'no Debian postgresql (pg_createcluster): every agent indexes the chain itself',
    )
    const hosts = { ...made, ...(databaseUrl ? { databaseUrl } : {}) }
    const consumers = hostFor(hosts, 'consumers')
    // The same command but on the consumers' host; it dies should this process be SIGKILLed.
    const [command = process.execPath, ...args] = await gotongOnHost(consumers, [
      ...argv,
      '--on-hosts',
      JSON.stringify(hosts),
    ])
    if (stopped) return 128 + signalNumbers[stopped]
    child = spawn(command, args, {
      env: { ...process.env, [testNetworkVariable]: hosts.subnet },
      stdio: 'inherit',
    })
    const code = await new Promise<number>((resolve) => {
      child!.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)))
      child!.once('error', () => resolve(1))
    })
    return stopped ? 128 + signalNumbers[stopped] : code
  } finally {
    for (const off of handlers) off()
    // Also when making them failed half-way, or a signal came first.
    const prefix = hostsPrefix(process.pid)
    const removed = await removeHosts(prefix)
    log(`hosts removed: ${removed.length} network namespaces of ${prefix}`)
  }
}
