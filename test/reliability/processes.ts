import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const children = new Set<ChildProcess>()

/** What a child process said and how it ended. */
export type Child = {
  pid: number
  /** Every stdout line so far. */
  lines: string[]
  stderr: () => string
  /** The JSON after the first `<tag> ` line, once it is printed. */
  line: (tag: string) => Promise<unknown>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  kill: (signal?: NodeJS.Signals) => void
}

/**
 * Runs `children/<script>.ts` in its own Node process with the workspace's TypeScript sources,
 * as an operator would run an agent. Children left running are killed by `killChildren`.
 */
export function run(script: 'provider' | 'consumer', config: unknown): Child {
  const file = fileURLToPath(new URL(`./children/${script}.ts`, import.meta.url))
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', file, JSON.stringify(config)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  children.add(child)
  const lines: string[] = []
  const waiters: (() => void)[] = []
  let stderr = ''
  let buffer = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk
    const parts = buffer.split('\n')
    buffer = parts.pop() ?? ''
    lines.push(...parts)
    for (const wake of waiters.splice(0)) wake()
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => {
      children.delete(child)
      for (const wake of waiters.splice(0)) wake()
      resolve({ code, signal })
    })
  })
  let done = false
  void exited.then(() => {
    done = true
  })
  const line = async (tag: string): Promise<unknown> => {
    for (;;) {
      const found = lines.find((l) => l.startsWith(`${tag} `))
      if (found) return JSON.parse(found.slice(tag.length + 1))
      if (done) throw new Error(`${script} exited before printing ${tag}:\n${stderr}`)
      await new Promise<void>((resolve) => waiters.push(resolve))
    }
  }
  return {
    pid: child.pid!,
    lines,
    stderr: () => stderr,
    line,
    exited,
    kill: (signal = 'SIGTERM') => {
      child.kill(signal)
    },
  }
}

/** Kills whatever child is still running (afterAll). */
export async function killChildren() {
  const waits = [...children].map(
    (child) => new Promise<void>((resolve) => child.once('close', () => resolve())),
  )
  for (const child of children) child.kill('SIGKILL')
  await Promise.all(waits)
}
