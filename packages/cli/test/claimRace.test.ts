import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Agent, createAgent, defineTool } from '@gotong/agent'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { paymentChannelsAbi } from '@gotong/contracts'
import type { Hash, Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { gotong, type Run, spawnGotong, type Where } from './gotong.js'

let devnet: Devnet
let dir: string
let provider: Agent
let consumer: Agent
let toolId: bigint
let where: Where
let channelId: Hex
/** Sum of the prices of every call served so far. */
let served = 0n

const shout = defineTool({
  name: 'shout',
  description: 'Says a text louder: upper case.',
  tags: ['text'],
  input: z.object({ text: z.string() }),
  output: z.object({ text: z.string() }),
  handler: ({ text }) => ({ text: text.toUpperCase() }),
})

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gotong-cli-claim-race-'))
  devnet = await startDevnet({
    accounts: 3,
    deploymentsFile: join(dir, '.gotong', 'deployments.json'),
  })
  const network = {
    rpcUrl: devnet.rpcUrl,
    chainId: devnet.chainId,
    deployments: devnet.deployments!,
  }
  const key = devnet.accounts[1]!
  // The provider claims by its policy (every served call is due); the test applies the policy
  // itself, through the settler the agent's timer calls, at the moment each case needs.
  provider = await createAgent({
    account: key.privateKey,
    network,
    store: join(dir, '.gotong', 'agents', key.address.toLowerCase()),
    claimPolicy: { minAmount: 1n },
    settleEveryMs: 3_600_000,
  })
  ;({ toolId } = await provider.serve(shout, { price: '0.002' }))
  consumer = await createAgent({
    account: devnet.accounts[2]!.privateKey,
    network,
    store: join(dir, 'consumer'),
  })
  // `gotong channels claim` as the README runs it: the payee's key, its store under .gotong.
  where = { cwd: dir, env: { GOTONG_RPC_URL: devnet.rpcUrl, GOTONG_PRIVATE_KEY: key.privateKey } }
}, 60_000)
afterAll(async () => {
  await consumer?.stop()
  await provider?.stop()
  await devnet?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function rpc(method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(devnet.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const body = (await response.json()) as { result?: unknown; error?: unknown }
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`)
  return body.result
}

/** One paid call of the consumer, served by the provider. */
async function serve(): Promise<void> {
  const result = await consumer.call(toolId, { text: 'many hands' })
  if (result.rail !== 'channel') throw new Error(`paid over ${result.rail}, not a channel`)
  channelId = result.receipt.receipt.channelId
  served += result.price
}

async function claimedOnChain(): Promise<bigint> {
  const slot = await devnet.publicClient.readContract({
    address: devnet.deployments!.contracts.paymentChannels,
    abi: paymentChannelsAbi,
    functionName: 'getChannel',
    args: [channelId],
  })
  return slot.claimed
}

/** The channel's `Claimed` events, by transaction: what each claim brought the total to. */
async function claims(): Promise<Map<Hash, bigint>> {
  const logs = await devnet.publicClient.getContractEvents({
    address: devnet.deployments!.contracts.paymentChannels,
    abi: paymentChannelsAbi,
    eventName: 'Claimed',
    args: { channelId },
    fromBlock: 0n,
    strict: true,
  })
  return new Map(logs.map((log) => [log.transactionHash, log.args.cumulativeAmount]))
}

/** Waits until the node holds `count` transactions not yet mined. */
async function pending(count: number): Promise<void> {
  for (;;) {
    const { pending } = (await rpc('txpool_status')) as { pending: Hex }
    if (Number(pending) >= count) return
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Runs the command and resolves once it says it is claiming, with its run to the end. */
function startClaim(...args: string[]): { claiming: Promise<void>; done: Promise<Run> } {
  const child = spawnGotong(where, 'channels', 'claim', channelId, ...args)
  let stdout = ''
  let stderr = ''
  let said: () => void = () => {}
  const claiming = new Promise<void>((resolve) => {
    said = resolve
  })
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString()
    if (stderr.includes('claiming the newest voucher')) said()
  })
  const done = new Promise<Run>((resolve) =>
    child.once('close', (code) => {
      said()
      resolve({ code, stdout, stderr })
    }),
  )
  return { claiming, done }
}

/** The one transaction hash a successful claim's output names, checked against the chain. */
async function namedClaim(run: Run): Promise<Hash> {
  expect(run.code, run.stderr).toBe(0)
  const [hash, ...more] = run.stdout.match(/0x[0-9a-f]{64}/g)?.filter((h) => h !== channelId) ?? []
  expect(more).toEqual([])
  expect((await claims()).has(hash as Hash), run.stdout).toBe(true)
  return hash as Hash
}

describe('gotong channels claim beside the payee’s running agent (same key, same store)', () => {
  test('the agent claimed first: the command exits 0 and names the agent’s claim', async () => {
    await serve()
    const [claim] = await provider.settler.settle()
    expect(claim?.amount).toBe(2_000n)

    const text = await gotong(where, 'channels', 'claim', channelId)
    expect(await namedClaim(text)).toBe(claim!.hash)
    expect(text.stdout).toContain(`already claimed by ${claim!.hash}`)

    const json = await gotong(where, 'channels', 'claim', channelId.slice(0, 12), '--json')
    expect(json.code, json.stderr).toBe(0)
    expect(JSON.parse(json.stdout)).toMatchObject({
      channelId,
      claimed: '0',
      totalClaimed: String(served),
      transactionHash: null,
      alreadyClaimedBy: claim!.hash,
    })
    expect(await claimedOnChain()).toBe(served)
  }, 60_000)

  test('one claim still unmined when the other is made, either first: the later one loses, and both end well', async () => {
    for (const first of ['agent', 'command'] as const) {
      await serve()
      await rpc('evm_setAutomine', [false])
      let agentClaim: ReturnType<Agent['settler']['settle']>
      let command: ReturnType<typeof startClaim>
      try {
        // The later one is made while the first is in the node's pool: the node simulates it on
        // top of the first (StaleVoucher), or mines both in one block, the later reverting.
        if (first === 'agent') {
          agentClaim = provider.settler.settle()
          await pending(1)
          command = startClaim()
          await command.claiming
        } else {
          command = startClaim()
          await pending(1)
          agentClaim = provider.settler.settle()
        }
        await rpc('evm_mine')
      } finally {
        await rpc('evm_setAutomine', [true])
      }
      const [settled, run] = await Promise.all([agentClaim, command.done])
      const hash = await namedClaim(run)
      if (first === 'agent') {
        // The command's claim lost: it says who claimed instead.
        expect(settled).toEqual([{ channelId, hash, amount: 2_000n }])
        expect(run.stdout).toContain(`already claimed by ${hash}`)
      } else {
        // The agent's lost: it re-read the channel and found nothing left to claim.
        expect(settled).toEqual([])
        expect(run.stdout).toMatch(
          new RegExp(`^Claimed 0\\.002 gUSD from ${channelId} \\(tx ${hash}\\)`),
        )
      }
      expect(await claimedOnChain()).toBe(served)
    }
  }, 90_000)

  test('raced many times, with fresh calls between: every run exits 0 and the chain has every call', async () => {
    for (let round = 0; round < 6; round++) {
      await serve()
      const command = startClaim()
      await command.claiming
      const [settled, run] = await Promise.all([provider.settler.settle(), command.done])
      const hash = await namedClaim(run)
      // Exactly one of them claimed this round's call.
      if (settled.length) expect(run.stdout).toContain(`already claimed by ${hash}`)
      else expect(run.stdout).toContain(`(tx ${hash})`)
      expect(await claimedOnChain()).toBe(served)
    }
  }, 180_000)
})
