// A runaway agent fires 200 calls, 50 at a time; its budget stops it at the limit, to the unit.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AgentError, createAgent, defineTool } from '@gotong/agent'
import { startDevnet } from '@gotong/chain/node'
import { BudgetExceededError, createBudget } from '@gotong/payments'
import { z } from 'zod'

const devnet = await startDevnet({ accounts: 3 })
const dir = mkdtempSync(join(tmpdir(), 'gotong-example-'))
const network = { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, deployments: devnet.deployments! }

const ping = defineTool({
  name: 'ping',
  description: 'Answers pong.',
  input: z.object({ n: z.number().int() }),
  output: z.object({ pong: z.number().int() }),
  handler: ({ n }) => ({ pong: n }),
})

// The swarm may spend 0.05 gUSD; this agent is one of its members.
const swarm = createBudget('swarm', { max: 50_000n })
const provider = await createAgent({
  account: devnet.accounts[1]!.privateKey,
  network,
  store: join(dir, 'p'),
})
const runaway = await createAgent({
  account: devnet.accounts[2]!.privateKey,
  network,
  store: join(dir, 'r'),
  budget: swarm.child('runaway'),
  callsPerChannel: 1_000n,
})
try {
  const { toolId } = await provider.serve(ping, { price: '0.001' })
  let next = 0
  let served = 0
  let stopped = 0
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < 200) {
        const n = next++
        try {
          await runaway.call(toolId, { n })
          served++
        } catch (error) {
          const budget =
            error instanceof BudgetExceededError ||
            (error instanceof AgentError && error.walk((e) => e instanceof BudgetExceededError))
          if (!budget) throw error
          stopped++
        }
      }
    }),
  )
  console.log(`served ${served}, stopped by the budget ${stopped}, spent ${swarm.spent()} of 50000`)
  assert.equal(served, 50)
  assert.equal(stopped, 150)
  assert.equal(swarm.spent(), 50_000n)
  assert.equal(swarm.reserved(), 0n)
  assert.equal(provider.ledger().earned.filter((v) => v.status === 'committed').length, 50)
} finally {
  await provider.stop()
  await runaway.stop()
  await devnet.stop()
  rmSync(dir, { recursive: true, force: true })
}
