// The gotong side, run as separate processes through its command line: a devnet and a
// ready-made provider. Nothing of gotong is imported; they are stopped on every way out.
import { type ChildProcessByStdio, spawn } from 'node:child_process'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'

const gotong = fileURLToPath(new URL('../../packages/cli/bin/gotong.js', import.meta.url))

type Child = ChildProcessByStdio<null, Readable, Readable>
const running = new Set<Child>()

/** A running `gotong …` command: its output so far, and a way to wait for a line of it. */
export type Gotong = {
  name: string
  output(): string
  /** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
  line(pattern: RegExp): Promise<string>
  stop(): Promise<void>
}

/** Starts `node packages/cli/bin/gotong.js <args>` in `cwd`. */
export function startGotong(name: string, args: string[], cwd: string): Gotong {
  const child = spawn(process.execPath, [gotong, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child)
      resolve(code)
    }),
  )
  return {
    name,
    output: () => `${stdout}${stderr}`,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = stdout.split('\n').find((line) => pattern.test(line))
          if (found === undefined) return
          child.stdout.off('data', check)
          resolve(found)
        }
        child.stdout.on('data', check)
        exited.then((code) =>
          reject(new Error(`${name} exited with ${code} before printing ${pattern}:\n${stderr}`)),
        )
        check()
      }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Stops every child still running (each `stop()`: SIGTERM, so the devnet takes anvil with it). */
export async function stopAll(handles: readonly Gotong[]): Promise<void> {
  for (const handle of handles) await handle.stop()
}

// On an exit nobody planned (an uncaught error), the children are told to stop; on Ctrl-C they
// are stopped before this process goes.
process.once('exit', () => {
  for (const child of running) child.kill('SIGTERM')
})
let interruptedBy: string | undefined
/** The signal this process was stopped by, if any: what happens next is no failure of ours. */
export const interrupted = () => interruptedBy

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    interruptedBy = signal
    const stops = [...running].map(
      (child) => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')),
    )
    Promise.all(stops).finally(() => {
      console.error(`stopped by ${signal}; gotong's processes stopped too`)
      process.exit(130)
    })
  })
