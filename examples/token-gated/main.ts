// A premium tool only holders of an access pass may call, at half price for them.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AgentError, createAgent, defineTool } from '@gotong/agent'
import { createClients } from '@gotong/chain'
import { startDevnet } from '@gotong/chain/node'
import { accessPassAbi } from '@gotong/contracts'
import { holderDiscount, pricingPolicy } from '@gotong/negotiation'
import { z } from 'zod'

const devnet = await startDevnet({ accounts: 4 })
const dir = mkdtempSync(join(tmpdir(), 'gotong-example-'))
const network = { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, deployments: devnet.deployments! }
const { accessPass } = network.deployments.contracts
const holds = async (who: `0x${string}`) =>
  (await devnet.publicClient.readContract({
    address: accessPass,
    abi: accessPassAbi,
    functionName: 'balanceOf',
    args: [who, 1n],
  })) > 0n

const premium = defineTool({
  name: 'premium-forecast',
  description: 'A seven-day forecast for a city (premium: pass holders only).',
  tags: ['weather'],
  input: z.object({ city: z.string() }),
  output: z.object({ city: z.string(), days: z.array(z.number()) }),
  handler: ({ city }) => ({ city, days: [31, 32, 30, 29, 31, 33, 32] }),
})

const provider = await createAgent({
  account: devnet.accounts[1]!.privateKey,
  network,
  store: join(dir, 'p'),
})
const holder = await createAgent({
  account: devnet.accounts[2]!.privateKey,
  network,
  store: join(dir, 'h'),
})
const stranger = await createAgent({
  account: devnet.accounts[3]!.privateKey,
  network,
  store: join(dir, 's'),
})
try {
  // The devnet's deployer owns the AccessPass collection and mints pass #1 to the holder.
  const owner = createClients({
    rpcUrl: devnet.rpcUrl,
    chainId: devnet.chainId,
    privateKey: devnet.accounts[0]!.privateKey,
  })
  const hash = await owner.walletClient!.writeContract({
    address: accessPass,
    abi: accessPassAbi,
    functionName: 'mint',
    args: [holder.address, 1n, 1n, '0x'],
  })
  await devnet.publicClient.waitForTransactionReceipt({ hash })
  await devnet.publicClient.request({ method: 'evm_mine' as never }) // the gate reads one block behind the head

  const { toolId } = await provider.serve(premium, {
    price: '0.02',
    gate: { erc1155: accessPass, id: 1n },
    pricing: pricingPolicy(20_000n, holderDiscount({ bps: 5_000, isHolder: holds })),
  })

  const forecast = await holder.call(toolId, { city: 'Yogyakarta' })
  console.log(`holder paid ${forecast.price} base units (half of 20000):`, forecast.output)
  assert.equal(forecast.price, 10_000n)

  const refused = await stranger.call(toolId, { city: 'Yogyakarta' }).catch((e: unknown) => e)
  assert.ok(refused instanceof AgentError)
  console.log(`stranger refused: ${refused.code} (${refused.shortMessage})`)
  assert.equal(refused.code, 'GATE_DENIED')
  // Refused before negotiating: no channel was funded, no voucher signed.
  assert.deepEqual(stranger.ledger().paid, [])
} finally {
  for (const agent of [provider, holder, stranger]) await agent.stop()
  await devnet.stop()
  rmSync(dir, { recursive: true, force: true })
}
