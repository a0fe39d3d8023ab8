import { dropHostPostgres } from './hostPostgres.js'
import { ip } from './ip.js'

/** The prefix of every namespace a run of `gotong swarm --hosts` makes: its pid makes it unique. */
export function hostsPrefix(pid: number): string {
  return `gotong-swarm-${pid}`
}

const ownPrefix = /^gotong-swarm-(\d+)-/

/** Network namespaces whose names start with `prefix-`. */
export async function hostNamespaces(prefix: string): Promise<string[]> {
  // One per line: `name` or `name (id: 3)`.
  const names = (await ip(['netns', 'list'])).split('\n').map((line) => line.split(' ')[0] ?? '')
  return names.filter((name) => name.startsWith(`${prefix}-`))
}

/**
 * Tears down a run's hosts: drops its PostgreSQL cluster, if any, kills every process still
 * inside its namespaces (its anvil, its indexer, its agents: nothing else can be in them), then
 * deletes the namespaces, which takes their veths
 * and bridge with them. Safe to call twice, and for a run that made only some of them.
 *
 * @returns The namespaces it deleted.
 */
export async function removeHosts(prefix: string): Promise<string[]> {
  // Its PostgreSQL first, stopped cleanly while its namespace still stands.
  await dropHostPostgres(prefix)
  const namespaces = await hostNamespaces(prefix)
  for (const ns of namespaces) {
    const pids = (await ip(['netns', 'pids', ns])).split(/\s+/).filter(Boolean).map(Number)
    for (const pid of pids) signal(pid, 'SIGKILL')
    // A namespace outlives its deletion while a process is in it: wait for them to be gone.
    for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 50))
    await ip(['netns', 'delete', ns])
  }
  return namespaces
}

/**
 * Removes what crashed earlier runs left: the namespaces of runs whose process is gone (a
 * SIGKILLed gotong cannot clean up), including an earlier run that had this very pid.
 */
export async function removeStaleHosts(): Promise<string[]> {
  const prefixes = new Set<string>()
  for (const ns of await hostNamespaces('gotong-swarm')) {
    const pid = Number(ownPrefix.exec(ns)?.[1])
    if (pid === process.pid || !alive(pid)) prefixes.add(hostsPrefix(pid))
  }
  const removed: string[] = []
  for (const prefix of prefixes) removed.push(...(await removeHosts(prefix)))
  return removed
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function signal(pid: number, name: NodeJS.Signals) {
  try {
    process.kill(pid, name)
  } catch {
    // Already gone.
  }
}
