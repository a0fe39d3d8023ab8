/**
 * A consumer agent in its own process: makes the calls it is given, in order, and prints
 * `CALL <id> <ok|code>` for each, then `LEDGER <json>` (its voucher log) and exits. A call
 * marked `die` kills the process (SIGKILL) after its voucher was signed and recorded, just as
 * the request was about to leave. Run: node --conditions=source --import tsx consumer.ts '<json>'
 */
import { createAgent } from '@gotong/agent'
import { parseDeployments } from '@gotong/chain'
import { bigintReplacer } from '@gotong/core'
import type { Hex } from 'viem'

const config = JSON.parse(process.argv[2]!) as {
  rpcUrl: string
  chainId: number
  deployments: unknown
  privateKey: Hex
  store: string
  toolId: string
  calls: { id: string; die?: boolean }[]
}

// The agent sends through this fetch: a call marked `die` kills the process as it leaves.
let dieOnSend = false
const sendOrDie = ((input: string | URL | Request, init?: RequestInit) => {
  if (dieOnSend && String(input).endsWith('/call')) process.kill(process.pid, 'SIGKILL')
  return globalThis.fetch(input, init)
}) as typeof fetch

const agent = await createAgent({
  account: config.privateKey,
  network: {
    rpcUrl: config.rpcUrl,
    chainId: config.chainId,
    deployments: parseDeployments(config.deployments),
  },
  store: config.store,
  fetch: sendOrDie,
})
const summary = () =>
  agent.payer.vouchers().map((v) => ({
    channelId: v.channelId,
    calls: v.calls,
    status: v.status,
    signed: v.signature !== undefined,
  }))
process.stdout.write(`START ${JSON.stringify(summary(), bigintReplacer)}\n`)
for (const call of config.calls) {
  dieOnSend = call.die === true
  const outcome = await agent.call(BigInt(config.toolId), { id: call.id }).then(
    () => 'ok',
    (error: { code?: string }) => error.code ?? 'error',
  )
  process.stdout.write(`CALL ${call.id} ${outcome}\n`)
}
process.stdout.write(`LEDGER ${JSON.stringify(summary(), bigintReplacer)}\n`)
await agent.stop()
process.exit(0)
