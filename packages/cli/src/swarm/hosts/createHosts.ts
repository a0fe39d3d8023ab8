import { z } from 'zod'
import { CliError } from '../../commands/agentOptions.js'
import { ip, ipBinary } from './ip.js'
import { hostsPrefix, removeHosts, removeStaleHosts } from './removeHosts.js'

/** What runs on each host of a three-host swarm, in address order (.1, .2, .3). */
export const hostRoles = ['chain', 'providers', 'consumers'] as const

/** One host: a network namespace with its own address, and the command prefix that runs in it. */
export const SwarmHost = z.object({
  role: z.enum(hostRoles),
  namespace: z.string().min(1),
  address: z.ipv4(),
  /** `ip netns exec <namespace>`: it execs the command, which keeps its pid. */
  exec: z.array(z.string().min(1)),
})
export type SwarmHost = z.infer<typeof SwarmHost>

/** A run's hosts, as the swarm inside them is told (`--on-hosts`, JSON). */
export const SwarmHosts = z.object({
  prefix: z.string().regex(/^gotong-swarm-\d+$/),
  /** The test network: the range `GOTONG_TEST_NETWORK` declares to the agents. */
  subnet: z.string().regex(/^10\.77\.\d{1,3}\.0\/24$/),
  hosts: z.array(SwarmHost).length(hostRoles.length),
  /** PostgreSQL on the chain's host, for the shared directory indexer (none: agents index alone). */
  databaseUrl: z.url({ protocol: /^postgresql$/ }).optional(),
})
export type SwarmHosts = z.infer<typeof SwarmHosts>

/**
 * Makes three hosts for a swarm: Linux network namespaces `gotong-swarm-<pid>-chain`,
 * `-providers` and `-consumers`, each with a veth to a bridge in a fourth, `-switch`, and an
 * address in 10.77.<n>.0/24 (n from the pid). Nothing is added to the caller's own namespace:
 * the veths are made inside the new ones, so parallel runs cannot collide on a name, and the
 * hosts reach each other and nothing else. Leftovers of crashed runs are removed first; if
 * making any part fails, what was made is removed before the error is thrown. Needs root.
 *
 * @example
 * const hosts = await createHosts()
 * // run `[...hosts.hosts[0].exec, 'anvil', '--host', hosts.hosts[0].address]`, then:
 * await removeHosts(hosts.prefix)
 */
export async function createHosts(pid = process.pid): Promise<SwarmHosts> {
  requireRoot()
  await removeStaleHosts()
  const prefix = hostsPrefix(pid)
  const net = `10.77.${(pid % 250) + 1}`
  // Interface names are at most 15 bytes: a short form of the prefix.
  const short = `gs${pid.toString(36)}`
  const bridge = `${short}br`
  const sw = `${prefix}-switch`
  const binary = ipBinary()
  try {
    await ip(['netns', 'add', sw])
    await ip(['-n', sw, 'link', 'add', bridge, 'type', 'bridge'])
    await ip(['-n', sw, 'link', 'set', bridge, 'up'])
    const hosts: SwarmHost[] = []
    for (const [i, role] of hostRoles.entries()) {
      const ns = `${prefix}-${role}`
      const address = `${net}.${i + 1}`
      const [inside, outside] = [`${short}h${i + 1}`, `${short}s${i + 1}`]
      await ip(['netns', 'add', ns])
      await ip(['-n', sw, 'link', 'add', outside, 'type', 'veth', 'peer', 'name', inside])
      await ip(['-n', sw, 'link', 'set', inside, 'netns', ns])
      await ip(['-n', sw, 'link', 'set', outside, 'master', bridge, 'up'])
      await ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', inside])
      await ip(['-n', ns, 'link', 'set', inside, 'up'])
      await ip(['-n', ns, 'link', 'set', 'lo', 'up'])
      hosts.push({ role, namespace: ns, address, exec: [binary, 'netns', 'exec', ns] })
    }
    return { prefix, subnet: `${net}.0/24`, hosts }
  } catch (error) {
    await removeHosts(prefix)
    throw error
  }
}

/** Throws `HOSTS_NEED_ROOT` unless this process runs as root, which network namespaces need. */
export function requireRoot(): void {
  if (process.getuid?.() !== 0)
    throw new CliError(
      'HOSTS_NEED_ROOT',
      '--hosts needs root: it makes network namespaces.',
      'Run it as root (sudo), or without --hosts.',
    )
}

/** The host that plays `role`. */
export function hostFor(hosts: SwarmHosts, role: SwarmHost['role']): SwarmHost {
  return hosts.hosts.find((h) => h.role === role)!
}
