import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Network } from '@gotong/agent'
import type { Address, Hex } from 'viem'

export type Durability = 'full' | 'process'

export type ProviderReady = {
  tools: Partial<Record<Durability, string>>
  unpaid: { url: string; address: Address }
}
export type ProviderProcess = { ready: ProviderReady; stop(): Promise<void> }

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
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const ready = await new Promise<ProviderReady>((resolve, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const line = out.split('\n').find((l) => l.startsWith('READY '))
      if (line) resolve(JSON.parse(line.slice('READY '.length)) as ProviderReady)
    })
    void exited.then(() => reject(new Error(`the provider process exited:\n${stderr}`)))
  })
  return {
    ready,
    async stop() {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    },
  }
}
