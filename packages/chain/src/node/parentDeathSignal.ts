import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

let probed: Promise<readonly string[]> | undefined

/**
 * The command prefix under which a child gets SIGKILL from the kernel when this process dies,
 * however it dies (SIGKILL included): util-linux's `setpriv --pdeathsig KILL --`, which sets
 * Linux's PR_SET_PDEATHSIG and then execs the child, so the child keeps its own pid. Empty where
 * that is not available (macOS, Windows, a Linux without util-linux 2.33 or later): there a
 * child outlives a SIGKILLed parent. Probed once per process, by one short setpriv run.
 *
 * The kernel sends the signal when the thread that spawned the child ends: in Node, the main
 * thread, or the worker thread that spawned it.
 */
export function parentDeathPrefix(): Promise<readonly string[]> {
  probed ??= probe()
  return probed
}

async function probe(): Promise<readonly string[]> {
  if (process.platform !== 'linux') return []
  const setpriv = findOnPath('setpriv')
  if (!setpriv) return []
  const prefix = [setpriv, '--pdeathsig', 'KILL', '--']
  // setpriv older than 2.33 (RHEL 8, Amazon Linux 2) refuses --pdeathsig; its own --dump shows
  // the signal really is set.
  return new Promise((resolve) => {
    execFile(setpriv, [...prefix.slice(1), setpriv, '--dump'], { timeout: 5_000 }, (error, out) =>
      resolve(!error && /Parent death signal: KILL/.test(out) ? prefix : []),
    )
  })
}

function findOnPath(name: string): string | undefined {
  // util-linux's own folders too, for a PATH trimmed by a process manager.
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/bin']) {
    if (!dir) continue
    const path = join(dir, name)
    try {
      accessSync(path, constants.X_OK)
      return path
    } catch {
      // Not in this folder; try the next.
    }
  }
  return undefined
}
