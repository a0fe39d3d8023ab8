/**
 * One replica of a provider agent in its own process, as `gotong agent start --ledger-url`
 * runs one: `createAgent` with the provider's key, the shared PostgreSQL ledger and the
 * balancer's URL as its public URL, serving `doubler`. Prints `READY {…}` once serving (its
 * tool id and manifest hash), `AGREED <termsHash>` for each agreement it countersigns, `SERVED <termsHash>` for
 * each call it answers, and with
 * `dieAfter`, `DYING {…}` before it kills itself with SIGKILL inside the handler of that call:
 * the voucher is accepted (pending in the ledger), the tool has not answered.
 */
import { bigintReplacer } from '@gotong/core'
import { z } from 'zod'
import { type CreateAgentParameters, createAgent, defineTool } from '../../src/index.js'

export type AgentReplicaConfig = {
  privateKey: `0x${string}`
  network: CreateAgentParameters['network']
  store: string
  ledgerUrl: string
  publicUrl: string
  port: number
  dieAfter?: number
}

const config = JSON.parse(process.argv[2]!) as AgentReplicaConfig
const agent = await createAgent({
  account: config.privateKey,
  network: config.network,
  name: `replica-${config.port}`,
  store: config.store,
  host: '127.0.0.1',
  port: config.port,
  publicUrl: config.publicUrl,
  ledger: { url: config.ledgerUrl },
})
agent.events.subscribe((event) => {
  if (event.type === 'agreement.signed') process.stdout.write(`AGREED ${event.termsHash}\n`)
  if (event.type === 'call.served') process.stdout.write(`SERVED ${event.termsHash}\n`)
})
let handled = 0
const doubler = defineTool({
  name: 'doubler',
  description: 'Doubles a number.',
  tags: ['math'],
  input: z.object({ n: z.number().int() }),
  output: z.object({ doubled: z.number().int() }),
  handler: ({ n }, { termsHash }) => {
    if (++handled !== config.dieAfter) return { doubled: n * 2 }
    process.stdout.write(`DYING ${JSON.stringify({ n, termsHash })}\n`, () =>
      process.kill(process.pid, 'SIGKILL'),
    )
    return new Promise<never>(() => undefined)
  },
})
const served = await agent.serve(doubler, { price: '0.002' })
process.stdout.write(
  `READY ${JSON.stringify({ port: config.port, toolId: served.toolId, manifestHash: served.manifestHash }, bigintReplacer)}\n`,
)
process.on('SIGTERM', () => {
  void agent.stop().finally(() => process.exit(0))
})
