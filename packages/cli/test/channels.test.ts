import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Agent, createAgent, defineTool } from '@gotong/agent'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { advanceTime, gotong, gusdOf, json, type Where } from './gotong.js'

let devnet: Devnet
let dir: string
let provider: Agent
let toolId: bigint
let where: Where

const shout = defineTool({
  name: 'shout',
  description: 'Says a text louder: upper case.',
  tags: ['text'],
  input: z.object({ text: z.string() }),
  output: z.object({ text: z.string() }),
  handler: ({ text }) => ({ text: text.toUpperCase() }),
})

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gotong-cli-channels-'))
  // The layout `gotong devnet` and the agents use in a project folder.
  devnet = await startDevnet({
    accounts: 3,
    deploymentsFile: join(dir, '.gotong', 'deployments.json'),
  })
  const key = devnet.accounts[1]!
  provider = await createAgent({
    account: key.privateKey,
    network: { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, deployments: devnet.deployments! },
    store: join(dir, '.gotong', 'agents', key.address.toLowerCase()),
  })
  ;({ toolId } = await provider.serve(shout, { price: '0.002' }))
  where = {
    cwd: dir,
    env: { GOTONG_RPC_URL: devnet.rpcUrl, GOTONG_PRIVATE_KEY: devnet.accounts[2]!.privateKey },
  }
}, 60_000)
afterAll(async () => {
  await provider?.stop()
  await devnet?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

type Row = {
  channelId: string
  role: string
  status: string
  deposit: string
  claimed: string
  closesAt: string | null
  refunded: string | null
  ledger: {
    payer: { calls: number; amount: string } | null
    payee: { calls: number; amount: string; claimed: string } | null
  }
}

describe('gotong search → call → channels claim, close, finalize', () => {
  test('the money moves as the ledgers say, read back from chain; unknown channels are explained', async () => {
    const consumer = devnet.accounts[2]!.address
    const payee = devnet.accounts[1]!.address
    const before = { consumer: await gusdOf(devnet, consumer), payee: await gusdOf(devnet, payee) }

    const [found, unknown, notPayee] = await Promise.all([
      gotong(where, 'search', 'louder upper case', '--json'),
      gotong(where, 'channels', 'close', '0xdeadbeef'),
      gotong(where, 'channels', 'claim', '0xdeadbeef'),
    ])
    const [hit] = json<{ listing: { toolId: string; ref: string } }[]>(found)
    expect(hit?.listing.toolId).toBe(String(toolId))
    // Unknown channels, or a payer trying to claim, are told what to do next.
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(
      /^error \[CHANNEL_NOT_FOUND\]: No channel 0xdeadbeef where this agent is the payer/,
    )
    expect(unknown.stderr).toContain('`gotong channels` lists the channels of this agent')
    expect(notPayee.code).toBe(1)
    expect(notPayee.stderr).toContain('Only the payee claims')

    const call = json<{
      output: unknown
      price: string
      channel: { channelId: string; opened: boolean; deposit: string }
      receipt: { calls: string; amount: string; signature: string; verified: boolean }
    }>(
      await gotong(
        where,
        'call',
        hit!.listing.ref,
        '--input',
        '{"text":"many hands"}',
        '--max-price',
        '0.01',
        '--budget',
        '1',
        '--challenge-period',
        '60',
        '--json',
      ),
    )
    expect(call).toMatchObject({
      output: { text: 'MANY HANDS' },
      price: '2000',
      channel: { opened: true, deposit: '200000' },
      receipt: { calls: '1', amount: '2000', verified: true },
    })
    expect(call.receipt.signature).toMatch(/^0x[0-9a-f]{130}$/)
    const id = call.channel.channelId
    expect(await gusdOf(devnet, consumer)).toBe(before.consumer - 200_000n)

    // The payee cashes its voucher with the same command line (its own key, its own store).
    const claim = json<{ claimed: string; totalClaimed: string }>(
      await gotong(
        where,
        'channels',
        'claim',
        id.slice(0, 12),
        '--key',
        devnet.accounts[1]!.privateKey,
        '--json',
      ),
    )
    expect(claim).toMatchObject({ claimed: '2000', totalClaimed: '2000' })
    expect(await gusdOf(devnet, payee)).toBe(before.payee + 2_000n)

    const closing = json<{ status: string; closesAt: string }>(
      await gotong(where, 'channels', 'close', id, '--json'),
    )
    expect(closing.status).toBe('closing')
    const [listing, early] = await Promise.all([
      gotong(where, 'channels', '--json'),
      gotong(where, 'channels', 'finalize', id),
    ])
    const [listed] = json<Row[]>(listing)
    expect(listed).toMatchObject({
      channelId: id,
      role: 'payer',
      status: 'closing',
      deposit: '200000',
      claimed: '2000',
      closesAt: closing.closesAt,
      ledger: {
        payer: { calls: 1, amount: '2000' },
        payee: { calls: 1, amount: '2000', claimed: '2000' },
      },
    })
    expect(early.code).toBe(1)
    expect(early.stderr).toContain(
      `error [CHALLENGE_PERIOD_ACTIVE]: The challenge period of ${id} runs until ${new Date(Number(closing.closesAt) * 1000).toISOString()}.`,
    )
    expect(early.stderr).toMatch(/Run this again in \d+ s \(chain time\)/)

    await advanceTime(devnet, 61)
    const finalized = json(await gotong(where, 'channels', 'finalize', id, '--json'))
    expect(finalized).toMatchObject({
      status: 'closed',
      deposit: '200000',
      paid: '2000',
      refunded: '198000',
    })
    // Payer refunded the deposit minus what it paid; payee has exactly what it earned.
    expect(await gusdOf(devnet, consumer)).toBe(before.consumer - 2_000n)
    expect(await gusdOf(devnet, payee)).toBe(before.payee + 2_000n)

    const [closed] = json<Row[]>(await gotong(where, 'channels', 'list', '--json'))
    expect(closed).toMatchObject({
      status: 'closed',
      deposit: '200000',
      claimed: '2000',
      refunded: '198000',
    })
  }, 90_000)
})
