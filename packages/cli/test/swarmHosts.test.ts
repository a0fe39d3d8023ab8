import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { gotong, gotongCommand, spawnGotong, type Where } from './gotong.js'
import { gone } from './processes.js'
import { checkBooks } from './swarmBooks.js'

// Network namespaces need root. CI runs as root, so there a non-root run fails instead of
// skipping: a skipped test there would hide that the swarm across hosts is never tested.
const root = process.getuid?.() === 0
const runs = root || Boolean(process.env.CI)
const title = root
  ? 'gotong swarm --hosts 3'
  : `gotong swarm --hosts 3 (SKIPPED: needs root for network namespaces, this is uid ${process.getuid?.()})`

const where: Where = {
  cwd: fileURLToPath(new URL('..', import.meta.url)),
  env: { OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, {
    env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` },
  }).toString()
}

/** The network namespaces of the run whose namespaces are named `prefix-…`. */
function namespacesOf(prefix: string): string[] {
  return ip('netns', 'list')
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(`${prefix}-`))
}

type Host = { role: string; namespace: string; address: string }

// With Debian's postgresql (CI installs it), host 1 also runs the shared indexer on PostgreSQL.
const postgres = existsSync('/usr/bin/pg_createcluster')

/** Whether Debian's postgresql has a cluster of this name. */
function hasCluster(name: string): boolean {
  return postgres && execFileSync('pg_lsclusters', ['--no-header']).toString().includes(` ${name} `)
}

describe.runIf(runs)(title, () => {
  test('the chain (and the shared indexer), the providers and the orchestrator on three hosts reach each other by their addresses; the books balance to the unit and nothing is left behind', async () => {
    const run = await gotong(where, 'swarm', '--hosts', '3', '--json')
    expect(run.code, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout)
    checkBooks(result)
    expect(result.job).toEqual({ ok: true, problems: [] })

    const hosts: Host[] = result.hosts.hosts
    expect(hosts.map((h) => h.role)).toEqual(['chain', 'providers', 'consumers'])
    const [chain, providers, consumers] = hosts as [Host, Host, Host]
    const subnet = result.hosts.subnet.replace(/0\/24$/, '')
    for (const h of hosts) expect(h.address.startsWith(subnet)).toBe(true)
    expect(new Set(hosts.map((h) => h.address)).size).toBe(3)
    expect(new URL(result.rpcUrl).hostname).toBe(chain.address)
    expect(run.stderr).toContain(`host consumers: ${consumers.address}`)
    // The orchestrator searched the shared indexer on host 1, or its own index without one.
    if (postgres) expect(result.index).toBe(`http://${chain.address}:42069`)
    else expect(result.index).toMatch(/directory\.sqlite$/)

    // Every published manifest names a provider's host, and the orchestrator's index verified
    // each one: plain http passed because GOTONG_TEST_NETWORK declared the hosts' range.
    expect(result.tools.length).toBeGreaterThanOrEqual(10)
    for (const tool of result.tools) {
      expect(new URL(tool.endpoint).hostname).toBe(providers.address)
      expect(tool.endpoint).not.toContain('127.0.0.1')
      expect(tool.status).toBe('verified')
    }

    // Torn down: no namespace of the run, so none of its veths or its bridge either.
    expect(namespacesOf(result.hosts.prefix)).toEqual([])
    expect(ip('-o', 'link', 'show')).not.toContain(result.hosts.prefix)
    expect(hasCluster(result.hosts.prefix)).toBe(false)
  }, 300_000)

  test('SIGTERM mid-run ends every process on the hosts and removes the hosts', async () => {
    const child = spawnGotong(where, 'swarm', '--hosts', '3')
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.stdout.resume()
    // Once the first provider serves: anvil, a provider and the swarm are inside the hosts.
    while (!/\[stats-provider\] ready/.test(stderr) && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 100))
    const prefix = /network namespace (gotong-swarm-\d+)-chain/.exec(stderr)?.[1]
    expect(prefix, stderr).toBeDefined()
    const pidsIn = (role: string) =>
      ip('netns', 'pids', `${prefix}-${role}`).split(/\s+/).filter(Boolean).map(Number)
    const commandOf = (pid: number) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
    // Each host runs its part, and only its part.
    const onChainHost = pidsIn('chain').map(commandOf)
    expect(onChainHost).toContainEqual(expect.stringMatching(/anvil --host 10\.77\./))
    if (postgres) {
      expect(onChainHost).toContainEqual(expect.stringMatching(/main\.ts indexer start/))
      expect(onChainHost).toContainEqual(expect.stringMatching(/postgres/))
      expect(hasCluster(prefix!)).toBe(true)
    } else expect(onChainHost).toHaveLength(1)
    expect(pidsIn('providers').map(commandOf)).toContainEqual(
      expect.stringMatching(/stats-provider\/bin\/start\.js/),
    )
    // The swarm itself (beside it, at times, the esbuild service of tsx, which runs the sources).
    expect(pidsIn('consumers').map(commandOf)).toContainEqual(
      expect.stringMatching(/main\.ts swarm --hosts 3 --on-hosts/),
    )
    const inside = ['chain', 'providers', 'consumers'].flatMap(pidsIn)

    const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(128 + 15)
    expect(stderr).toContain(`hosts removed: 4 network namespaces of ${prefix}`)
    expect(namespacesOf(prefix!)).toEqual([])
    expect(hasCluster(prefix!)).toBe(false)
    for (const pid of inside) expect(await gone(pid)).toBe(true)
  }, 300_000)
})

test('without root, --hosts refuses with HOSTS_NEED_ROOT and makes nothing', () => {
  // As root, the command runs as nobody; as anyone else, as itself.
  const asUser = root ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : []
  const [command = '', ...args] = [...asUser, ...gotongCommand, 'swarm', '--hosts', '3']
  const run = spawnSync(command, args, { cwd: where.cwd, encoding: 'utf8' })
  expect(run.status).toBe(1)
  expect(run.stderr).toContain('error [HOSTS_NEED_ROOT]: --hosts needs root')
  expect(run.stderr).not.toContain('host chain:')
}, 60_000)
