// Publish a tool, call it three times as another agent, and cash the vouchers on chain.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAgent, defineTool } from '@gotong/agent'
import { startDevnet } from '@gotong/chain/node'
import { gotongTokenAbi } from '@gotong/contracts'
import { formatAmount } from '@gotong/core'
import { z } from 'zod'

const devnet = await startDevnet({ accounts: 3 })
const dir = mkdtempSync(join(tmpdir(), 'gotong-example-'))
const network = { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, deployments: devnet.deployments! }
const balance = (who: `0x${string}`) =>
  devnet.publicClient.readContract({
    address: network.deployments.contracts.gotongToken,
    abi: gotongTokenAbi,
    functionName: 'balanceOf',
    args: [who],
  })

// 1. A tool: a zod schema in, a zod schema out, a plain function.
const reverse = defineTool({
  name: 'reverse-text',
  description: 'Reverses a text, character by character.',
  tags: ['text'],
  input: z.object({ text: z.string().max(1_000) }),
  output: z.object({ reversed: z.string() }),
  handler: ({ text }) => ({ reversed: [...text].reverse().join('') }),
})

const provider = await createAgent({
  account: devnet.accounts[1]!.privateKey,
  network,
  store: join(dir, 'p'),
})
const consumer = await createAgent({
  account: devnet.accounts[2]!.privateKey,
  network,
  store: join(dir, 'c'),
})
try {
  // 2. Publish it to the on-chain directory at 0.01 gUSD per call, served over HTTP.
  const { toolId, ref } = await provider.serve(reverse, { price: '0.01' })
  console.log(`published ${ref} at ${provider.url}`)
  const before = await balance(provider.address)

  // 3. Another agent calls it: negotiation, a channel and a voucher per call happen underneath.
  for (const text of ['gotong', 'royong', 'many hands']) {
    const result = await consumer.call(toolId, { text })
    assert(result.rail === 'channel') // no expected number of calls given: a channel
    const { output, receipt } = result
    console.log(`${text} → ${JSON.stringify(output)} (receipt for call ${receipt.receipt.calls})`)
  }
  assert.deepEqual((await consumer.call(toolId, { text: 'abc' })).output, { reversed: 'cba' })

  // 4. The provider cashes the newest voucher: one transaction for all four calls.
  const channelId = consumer.ledger().paid[0]!.channelId
  const claim = await provider.settler.claim(channelId)
  const earned = (await balance(provider.address)) - before
  console.log(`provider claimed ${formatAmount(earned, 6)} gUSD in ${claim?.hash}`)
  assert.equal(earned, 4n * 10_000n)
} finally {
  await provider.stop()
  await consumer.stop()
  await devnet.stop()
  rmSync(dir, { recursive: true, force: true })
}
