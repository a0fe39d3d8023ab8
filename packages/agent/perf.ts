import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDevnet } from '@gotong/chain/node'
import { z } from 'zod'
import { createAgent, defineTool } from './src/index.js'

const devnet = await startDevnet({ accounts: 3 })
const dir = mkdtempSync(join(tmpdir(), 'perf-'))
const network = devnet as never
const tool = defineTool({
  name: 'echo',
  description: 'echo',
  input: z.object({ n: z.number() }),
  output: z.object({ n: z.number() }),
  handler: ({ n }) => ({ n }),
})
const p = await createAgent({
  account: devnet.accounts[1]!.privateKey,
  network,
  store: join(dir, 'p'),
})
const c = await createAgent({
  account: devnet.accounts[2]!.privateKey,
  network,
  store: join(dir, 'c'),
  callsPerChannel: 100_000n,
})
const { toolId } = await p.serve(tool, { price: 1n })
await c.call(toolId, { n: 0 })
const N = 300
let t = performance.now()
for (let i = 0; i < N; i++) await c.call(toolId, { n: i })
console.log('sequential ms/call', ((performance.now() - t) / N).toFixed(2))
t = performance.now()
let next = 0
await Promise.all(
  Array.from({ length: 32 }, async () => {
    while (next < 1000) {
      next++
      await c.call(toolId, { n: next })
    }
  }),
)
console.log('32 concurrent calls/s', (1000 / ((performance.now() - t) / 1000)).toFixed(0))
await p.stop()
await c.stop()
await devnet.stop()
