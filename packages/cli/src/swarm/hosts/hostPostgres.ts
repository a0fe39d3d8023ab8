import { execFile } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { appendFile } from 'node:fs/promises'
import { CliError } from '../../commands/agentOptions.js'
import type { SwarmHosts } from './createHosts.js'

/**
 * The newest installed major version of Debian's `postgresql`, with `pg_createcluster`; none
 * without them (then the swarm's agents index the chain themselves).
 */
function postgresVersion(): string | undefined {
  if (!existsSync('/usr/bin/pg_createcluster') || !existsSync('/usr/lib/postgresql')) return
  return readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))[0]
}

/**
 * Starts a throwaway PostgreSQL cluster named after the run (`gotong-swarm-<pid>`) on the chain's
 * host, listening on that host's address only and trusting the hosts' range, for the shared
 * directory indexer; `removeHosts` drops it. Resolves with its URL, or undefined where Debian's
 * `postgresql` is not installed.
 */
export async function startHostPostgres(hosts: SwarmHosts): Promise<string | undefined> {
  const version = postgresVersion()
  if (!version) return undefined
  const chain = hosts.hosts.find((h) => h.role === 'chain')!
  const settings = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']
  await run('pg_createcluster', [
    version,
    hosts.prefix,
    ...settings.flatMap((s) => ['-o', s]),
    '--',
    '--auth-local=trust',
  ])
  const config = `/etc/postgresql/${version}/${hosts.prefix}`
  // The chain's host's address only (pg_createcluster's -o would quote it twice).
  await appendFile(`${config}/postgresql.conf`, `listen_addresses = '${chain.address}'\n`)
  // No password on the hosts' range: nothing outside the namespaces can reach it.
  await appendFile(`${config}/pg_hba.conf`, `host all all ${hosts.subnet} trust\n`)
  // Started inside the chain's host: the server binds that host's address.
  await run(chain.exec[0]!, [
    ...chain.exec.slice(1),
    'pg_ctlcluster',
    version,
    hosts.prefix,
    'start',
  ])
  const listed = await run('pg_lsclusters', ['--no-header', version, hosts.prefix])
  const port = listed.trim().split(/\s+/)[2]
  return `postgresql://postgres@${chain.address}:${port}/postgres`
}

/** Stops and drops the run's cluster, if it has one. */
export async function dropHostPostgres(prefix: string): Promise<boolean> {
  const version = postgresVersion()
  if (!version || !existsSync(`/etc/postgresql/${version}/${prefix}`)) return false
  await run('pg_dropcluster', ['--stop', version, prefix])
  return true
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 60_000 }, (error, stdout, stderr) =>
      error
        ? reject(
            new CliError(
              'HOSTS_POSTGRES_FAILED',
              `${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`,
              "The shared indexer's PostgreSQL runs as Debian's postgresql cluster: check pg_lsclusters.",
              { cause: error },
            ),
          )
        : resolve(stdout),
    )
  })
}
