import { execFileSync } from 'node:child_process'

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Polls until `pid` is gone or `ms` have passed; says whether it is gone. */
export async function gone(pid: number, ms = 15_000): Promise<boolean> {
  const until = Date.now() + ms
  while (isAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
  return !isAlive(pid)
}

/** The parent pid of a running process. */
export function parentOf(pid: number): number {
  return Number(
    execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)])
      .toString()
      .trim(),
  )
}

/** `argv` as one line of sh, each word quoted. */
export function shellWords(argv: readonly string[]): string {
  return argv.map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(' ')
}
