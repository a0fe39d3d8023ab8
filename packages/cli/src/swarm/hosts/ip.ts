import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { CliError } from '../../commands/agentOptions.js'

/** iproute2's `ip`: on PATH, or in the sbin folders a non-root PATH leaves out. */
export function ipBinary(): string {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin']) {
    if (!dir) continue
    try {
      accessSync(`${dir}/ip`, constants.X_OK)
      return `${dir}/ip`
    } catch {
      // Not here; try the next folder.
    }
  }
  throw new CliError(
    'HOSTS_IP_FAILED',
    'iproute2 (the ip command) is not installed.',
    'Install it (apt-get install iproute2): --hosts makes its hosts with ip netns.',
  )
}

/**
 * Runs `ip <args>` and resolves with what it printed.
 *
 * @example await ip(['netns', 'add', 'gotong-swarm-42-chain'])
 */
export function ip(args: readonly string[]): Promise<string> {
  const binary = ipBinary()
  return new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: 15_000 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout)
      reject(
        new CliError(
          'HOSTS_IP_FAILED',
          `ip ${args.join(' ')} failed: ${stderr.trim() || error.message}`,
          'Network namespaces need root and a kernel that allows them (not an unprivileged container).',
          { cause: error },
        ),
      )
    })
  })
}
