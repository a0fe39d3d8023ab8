/**
 * A provider agent in its own process: serves one priced tool and prints
 * `READY {"toolId","url","port"}` once it listens. The tool appends each call's id to a log
 * before answering; an input can ask the process to die (SIGKILL, no cleanup) right after the
 * tool ran (before the voucher is committed) or right after the commit (before the reply).
 * SIGTERM stops the agent cleanly. Run: node --conditions=source --import tsx provider.ts '<json>'
 */
import { appendFileSync } from 'node:fs'
import { createAgent, defineTool } from '@gotong/agent'
import { parseDeployments } from '@gotong/chain'
import type { Hex } from 'viem'
import { z } from 'zod'

const config = JSON.parse(process.argv[2]!) as {
  rpcUrl: string
  chainId: number
  deployments: unknown
  privateKey: Hex
  store: string
  port?: number
  price: string
  name: string
  toolLog?: string
}

let stop: () => Promise<void> = async () => {}
process.on('SIGTERM', () => {
  void stop().then(() => process.exit(0))
})

let dieAfterCommit = false
const die = () => process.kill(process.pid, 'SIGKILL')

const agent = await createAgent({
  account: config.privateKey,
  network: {
    rpcUrl: config.rpcUrl,
    chainId: config.chainId,
    deployments: parseDeployments(config.deployments),
  },
  store: config.store,
  ...(config.port ? { port: config.port } : {}),
  onCall: ({ ok }) => {
    if (ok && dieAfterCommit) die()
  },
})
stop = () => agent.stop()
const tool = defineTool({
  name: config.name,
  description: 'Says which call it answered; logs every run.',
  tags: ['echo'],
  input: z.object({
    id: z.string(),
    crash: z.enum(['after-tool', 'after-commit']).optional(),
  }),
  output: z.object({ id: z.string(), pid: z.number() }),
  handler: ({ id, crash }) => {
    if (config.toolLog) appendFileSync(config.toolLog, `${id}\n`)
    if (crash === 'after-tool') die()
    if (crash === 'after-commit') dieAfterCommit = true
    return { id, pid: process.pid }
  },
})
const served = await agent.serve(tool, { price: BigInt(config.price) })
const url = new URL(agent.url!)
process.stdout.write(
  `READY ${JSON.stringify({ toolId: served.toolId.toString(), url: agent.url, port: Number(url.port) })}\n`,
)
