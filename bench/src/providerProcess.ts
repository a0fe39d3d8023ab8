import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Network } from '@gotong/agent'
import type { Address, Hex } from 'viem'
import type { CpuProfile } from './cpuProfile.js'

export type Durability = 'full' | 'process'

export type ProviderReady = {
  tools: Partial<Record<Durability, string>>
  unpaid: { url: string; address: Address }
}
export type ProviderProcess = {
  ready: ProviderReady
  /** Samples the provider process's CPU from `start` until `stop`, which returns the profile. */
  profile: { start(): Promise<void>; stop(): Promise<CpuProfile> }
  stop(): Promise<void>
}

/** Starts `children/paidCallProvider.ts` and waits until it serves. */
export async function startProvider(config: {
  network: Network
  store: string
  providers: { key: Hex; durability: Durability }[]
  unpaidKey: Hex
}): Promise<ProviderProcess> {
  const file = fileURLToPath(new URL('./children/paidCallProvider.ts', import.meta.url))
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', file, JSON.stringify(config)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  // Each line the child prints goes to the first waiter for its prefix.
  const waiters: { prefix: string; resolve(line: string): void }[] = []
  let out = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
    for (let at = out.indexOf('\n'); at >= 0; at = out.indexOf('\n')) {
      const line = out.slice(0, at)
      out = out.slice(at + 1)
      const i = waiters.findIndex((w) => line.startsWith(w.prefix))
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(line)
    }
  })
  const line = (prefix: string) =>
    new Promise<string>((resolve, reject) => {
      waiters.push({ prefix, resolve: (text) => resolve(text.slice(prefix.length)) })
      void exited.then(() => reject(new Error(`the provider process exited:\n${stderr}`)))
    })
  const command = async (text: string, answer: string) => {
    const answered = line(answer)
    child.stdin!.write(`${text}\n`)
    return answered
  }
  const ready = JSON.parse(await line('READY ')) as ProviderReady
  return {
    ready,
    profile: {
      async start() {
        await command('profile start', 'PROFILING')
      },
      async stop() {
        return JSON.parse(await command('profile stop', 'PROFILE ')) as CpuProfile
      },
    },
    async stop() {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    },
  }
}
