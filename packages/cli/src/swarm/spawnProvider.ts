import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { parentDeathPrefix } from '@gotong/chain/node'
import type { SwarmHost } from './hosts/createHosts.js'

/**
 * Starts `node agents/<kind>/bin/start.js` and waits until it says it is ready. On a `host` it
 * runs in that host's network namespace and serves on the host's address. Either way it dies
 * with this process, however this process dies (Linux's parent-death signal, where available).
 */
export async function spawnProvider(
  kind: string,
  env: Record<string, string>,
  log: (line: string) => void,
  host?: SwarmHost,
): Promise<ChildProcess> {
  const require = createRequire(import.meta.url)
  // The entry is src/index.ts or dist/index.js: either way one folder below the package root.
  const bin = join(dirname(dirname(require.resolve(`@gotong/agent-${kind}`))), 'bin', 'start.js')
  const [command = process.execPath, ...args] = [
    ...(await parentDeathPrefix()),
    ...(host?.exec ?? []),
    process.execPath,
    bin,
  ]
  const child = spawn(command, args, {
    env: { ...process.env, ...env, ...(host ? { GOTONG_HOST: host.address } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let buffer = ''
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString()
      let i = buffer.indexOf('\n')
      while (i >= 0) {
        const line = buffer.slice(0, i)
        buffer = buffer.slice(i + 1)
        if (line.trim()) log(line.trim())
        if (line.startsWith('ready')) resolve(child)
        i = buffer.indexOf('\n')
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (c: Buffer) => log(c.toString().trim()))
    child.once('exit', (code) =>
      reject(new Error(`${kind} exited with code ${code} before it was ready`)),
    )
  })
}
