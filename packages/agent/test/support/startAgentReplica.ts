import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { bigintReplacer } from '@gotong/core'
import type { Hex } from 'viem'
import type { AgentReplicaConfig } from './agentReplica.js'

const script = fileURLToPath(new URL('./agentReplica.ts', import.meta.url))

/** A provider agent replica's process and what it printed (see `agentReplica.ts`). */
export type AgentReplica = {
  child: ChildProcess
  toolId: bigint
  manifestHash: Hex
  /** Terms hashes of the agreements it countersigned, and of the calls it answered. */
  agreed: Hex[]
  served: Hex[]
  /** The call it was running when it killed itself (`dieAfter`). */
  dying: Promise<{ n: number; termsHash: Hex }>
  exited: Promise<void>
  stop(): Promise<void>
}

/** Starts one replica and waits until it serves its tool. */
export async function startAgentReplica(config: AgentReplicaConfig): Promise<AgentReplica> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', script, JSON.stringify(config, bigintReplacer)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr!.on('data', (d) => {
    stderr += d
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const agreed: Hex[] = []
  const served: Hex[] = []
  let onDying: (v: { n: number; termsHash: Hex }) => void = () => undefined
  const dying = new Promise<{ n: number; termsHash: Hex }>((resolve) => {
    onDying = resolve
  })
  const ready = await new Promise<{ toolId: string; manifestHash: Hex }>((resolve, reject) => {
    let rest = ''
    child.stdout!.on('data', (d) => {
      const lines = (rest + d).split('\n')
      rest = lines.pop()!
      for (const line of lines) {
        const [word, value = ''] = [
          line.slice(0, line.indexOf(' ')),
          line.slice(line.indexOf(' ') + 1),
        ]
        if (word === 'READY') resolve(JSON.parse(value))
        if (word === 'AGREED') agreed.push(value.toLowerCase() as Hex)
        if (word === 'SERVED') served.push(value.toLowerCase() as Hex)
        if (word === 'DYING') onDying(JSON.parse(value))
      }
    })
    child.once('exit', (code) =>
      reject(new Error(`replica exited (${code}) before ready: ${stderr}`)),
    )
  })
  return {
    child,
    toolId: BigInt(ready.toolId),
    manifestHash: ready.manifestHash,
    agreed,
    served,
    dying,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
