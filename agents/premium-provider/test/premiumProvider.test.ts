import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Agent, createAgent, type Network } from '@gotong/agent'
import type { RunningAgent } from '@gotong/agent-runner'
import { createClients } from '@gotong/chain'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { accessPassAbi } from '@gotong/contracts'
import { DatasetProfile } from '@gotong/tool-dataset-stats'
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { start } from '../src/index.js'

let devnet: Devnet
let dir: string
let provider: RunningAgent
const agents: Agent[] = []
let member: Agent
let gold: Agent
let outsider: Agent

beforeAll(async () => {
  devnet = await startDevnet({ accounts: 5 })
  dir = mkdtempSync(join(tmpdir(), 'gotong-premium-provider-'))
  const network = devnet as Network
  const owner = createClients({
    rpcUrl: devnet.rpcUrl,
    chainId: devnet.chainId,
    privateKey: devnet.accounts[0]!.privateKey,
  }).walletClient!
  const mint = async (to: Address, id: bigint) => {
    const hash = await owner.writeContract({
      address: devnet.deployments!.contracts.accessPass,
      abi: accessPassAbi,
      functionName: 'mint',
      args: [to, id, 1n, '0x'],
    })
    await devnet.publicClient.waitForTransactionReceipt({ hash })
  }
  await mint(devnet.accounts[2]!.address, 1n) // a member
  await mint(devnet.accounts[3]!.address, 1n) // a member with the gold pass too
  await mint(devnet.accounts[3]!.address, 2n)
  provider = await start({
    network,
    account: devnet.accounts[1]!.privateKey,
    store: join(dir, 'p'),
  })
  const agent = async (i: number) => {
    const a = await createAgent({
      network,
      account: devnet.accounts[i]!.privateKey,
      store: join(dir, `a${i}`),
    })
    agents.push(a)
    return a
  }
  member = await agent(2)
  gold = await agent(3)
  outsider = await agent(4)
})
afterAll(async () => {
  for (const agent of agents) await agent.stop()
  await provider?.stop()
  await devnet?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const csv = 'x,y,label\n1,2,a\n2,4,b\n3,6.5,a\n4,8,c\n'

describe('premium provider', () => {
  test('lists one token-gated premium tool', async () => {
    const [premium] = provider.served
    expect(provider.served).toHaveLength(1)
    expect(premium).toMatchObject({ name: 'dataset-stats-premium', price: 10_000n })
    expect(premium!.accessPredicate).toMatch(/^0x[0-9a-fA-F]{40}$/)
    const seenBy = async (who: Agent) => {
      await who.index.sync()
      return (await who.index.search({ tags: ['premium'], accessibleTo: who.address })).length
    }
    expect(await seenBy(member)).toBe(1)
    expect(await seenBy(outsider)).toBe(0)
  })

  test('pass holders get the full profile; gold holders pay 25% less; others are refused', async () => {
    const { toolId } = provider.served[0]!
    const asMember = await member.call(toolId, { csv })
    expect(asMember.price).toBe(10_000n)
    const profile = DatasetProfile.parse(asMember.output)
    expect(profile.detail).toBe('full')
    // Σdxdy = 10.25, Σdx² = 5, Σdy² = 21.1875 over the four rows.
    expect(profile.correlations).toEqual([
      { a: 'x', b: 'y', pearson: expect.closeTo(10.25 / Math.sqrt(5 * 21.1875), 12), pairs: 4 },
    ])
    expect(profile.columns[0]!.numeric).toMatchObject({ p25: 1.75, p75: 3.25 })

    const asGold = await gold.call(toolId, { csv })
    expect(asGold.price).toBe(7_500n)

    const refused = await outsider.call(toolId, { csv }).catch((e) => e)
    expect(refused.code).toBe('GATE_DENIED')
    // Refused before negotiating: no channel funded, no voucher signed.
    expect(outsider.ledger().paid).toEqual([])
    expect(
      provider.agent
        .ledger()
        .earned.map((v) => v.cumulativeAmount)
        .sort((a, b) => Number(a - b)),
    ).toEqual([7_500n, 10_000n])
  })
})
