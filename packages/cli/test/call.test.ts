import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Agent, createAgent, defineTool } from '@gotong/agent'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { gotong, gusdOf, json, type Where } from './gotong.js'

let devnet: Devnet
let dir: string
let provider: Agent
let toolId: bigint
let where: Where

const wordCount = defineTool({
  name: 'word-count',
  description: 'Counts the words of a text.',
  tags: ['text'],
  input: z.object({ text: z.string() }),
  output: z.object({ words: z.number().int() }),
  handler: ({ text }) => ({ words: text.split(/\s+/).filter(Boolean).length }),
})

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gotong-cli-call-'))
  devnet = await startDevnet({ accounts: 4, deploymentsFile: join(dir, 'deployments.json') })
  provider = await createAgent({
    account: devnet.accounts[1]!.privateKey,
    network: { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, deployments: devnet.deployments! },
    store: join(dir, 'provider'),
  })
  ;({ toolId } = await provider.serve(wordCount, { price: '0.002' }))
  where = {
    cwd: dir,
    env: {
      GOTONG_RPC_URL: devnet.rpcUrl,
      GOTONG_DEPLOYMENTS: join(dir, 'deployments.json'),
      GOTONG_PRIVATE_KEY: devnet.accounts[2]!.privateKey,
    },
  }
}, 60_000)
afterAll(async () => {
  await provider?.stop()
  await devnet?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('gotong call', () => {
  test('output, receipt and ledger export; a price above --max-price or a budget below it moves nothing', async () => {
    // A second consumer tries what it may not, alongside the first one's call.
    const refused = {
      ...where,
      env: { ...where.env, GOTONG_PRIVATE_KEY: devnet.accounts[3]!.privateKey },
    }
    const other = devnet.accounts[3]!.address
    const balance = await gusdOf(devnet, other)
    const nonce = await devnet.publicClient.getTransactionCount({ address: other })
    const input = '{"text":"a b c"}'
    const [text, overPrice, overBudget] = await Promise.all([
      gotong(where, 'call', String(toolId), '--input', '{"text":"many hands"}'),
      gotong(refused, 'call', String(toolId), '--input', input, '--max-price', '0.001'),
      gotong(
        refused,
        'call',
        String(toolId),
        '--input',
        input,
        '--budget',
        '0.0015',
        '--json',
        '--store',
        join(dir, 'refused'),
      ),
    ])
    expect(overPrice.code).toBe(1)
    expect(overPrice.stderr).toContain(
      `error [PRICE_TOO_HIGH]: Tool ${toolId} costs 0.002 gUSD per call, more than --max-price 0.001 gUSD. Nothing was paid.\n\nRaise --max-price to 0.002`,
    )
    expect(overBudget.code).toBe(1)
    expect(overBudget.stdout).toBe('')
    expect(overBudget.stderr).toMatch(
      /^error \[BUDGET_EXCEEDED\]: .*more than --budget 0\.0015 gUSD/,
    )
    // No channel opened, no transaction sent, not a unit moved.
    expect(await gusdOf(devnet, other)).toBe(balance)
    expect(await devnet.publicClient.getTransactionCount({ address: other })).toBe(nonce)

    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toContain(
      `Called word-count (tool ${toolId}) of ${devnet.accounts[1]!.address} for 0.002 gUSD`,
    )
    expect(text.stdout).toContain('"words": 2')
    expect(text.stdout).toMatch(/signature 0x[0-9a-f]{130}\n {2}verified {2}yes/)
    // Progress on stderr, step by step, when not in --json mode.
    expect(text.stderr).toContain('… negotiating with')
    expect(text.stderr).toContain('… calling the tool')

    const second = json<{
      output: unknown
      channel: { channelId: string; opened: boolean }
      receipt: { calls: string; verified: boolean }
    }>(await gotong(where, 'call', String(toolId), '--input', '{"text":"light work"}', '--json'))
    expect(second.output).toEqual({ words: 2 })
    expect(second.receipt.verified).toBe(true)
    // A second process on the same store pays through the channel the first one funded.
    expect(second.channel.opened).toBe(false)
    expect(second.receipt.calls).toBe('2')

    const paidFile = join(dir, 'paid.csv')
    const [csv, paidOnly, listed] = await Promise.all([
      gotong(where, 'receipts', 'export', '--format', 'csv'),
      gotong(where, 'receipts', 'export', '--side', 'paid', '--out', paidFile),
      gotong(where, 'receipts', '--json'),
    ])
    const [header, ...rows] = csv.stdout.trimEnd().split('\r\n')
    expect(header).toBe(
      'side,scheme,channelId,call,amount,cumulativeAmount,termsHash,status,requestHash,responseHash,servedAt,receiptSignature,voucherSignature,authorizationNonce,transaction',
    )
    expect(rows).toHaveLength(2)
    for (const row of rows) {
      const cells = row.split(',')
      expect(cells.slice(0, 2)).toEqual(['paid', 'channel'])
      expect(cells[4]).toBe('2000')
      expect(cells[7]).toBe('served')
      expect(cells[11]).toMatch(/^0x[0-9a-f]{130}$/)
    }
    expect(rows.map((r) => r.split(',')[2])).toContain(second.channel.channelId)
    // One side alone is exactly @gotong/payments' exportLedger format.
    const paid = (await readFile(paidFile, 'utf8')).split('\r\n')
    expect(paid[0]).toBe(header!.replace('side,', ''))
    expect(paid.filter(Boolean)).toHaveLength(3)
    expect(paidOnly.stderr).toBe(`wrote ${paidFile}\n`)
    const receipts = json<{ side: string; verified: boolean }[]>(listed)
    expect(receipts.map((r) => [r.side, r.verified])).toEqual([
      ['paid', true],
      ['paid', true],
    ])
  }, 60_000)
})
