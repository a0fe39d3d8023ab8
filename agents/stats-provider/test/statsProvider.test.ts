import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { type Agent, createAgent, type Network } from '@gotong/agent'
import type { RunningAgent } from '@gotong/agent-runner'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { gotongTermsKey } from '@gotong/core'
import { DatasetProfile } from '@gotong/tool-dataset-stats'
import { DedupeResult } from '@gotong/tool-dedupe'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { start } from '../src/index.js'

let devnet: Devnet
let dir: string
let provider: RunningAgent
let consumer: Agent
beforeAll(async () => {
  devnet = await startDevnet({ accounts: 4 })
  dir = mkdtempSync(join(tmpdir(), 'gotong-stats-provider-'))
  const network = devnet as Network
  provider = await start({
    network,
    account: devnet.accounts[1]!.privateKey,
    store: join(dir, 'provider'),
  })
  consumer = await createAgent({
    network,
    account: devnet.accounts[2]!.privateKey,
    store: join(dir, 'consumer'),
  })
})
afterAll(async () => {
  await consumer?.stop()
  await provider?.stop()
  await devnet?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const csv = 'name,city,age\nAda,London,36\nGrace,New York,85\nAda,London,36\nLinus,Helsinki,\n'

describe('stats provider', () => {
  test('lists dataset-stats and dedupe with its prices and SLA', async () => {
    expect(provider.served.map((s) => [s.name, s.price])).toEqual([
      ['dataset-stats', 2_000n],
      ['dedupe', 1_000n],
    ])
    await consumer.index.sync()
    const [hit] = await consumer.index.search({ tags: ['statistics'] })
    expect(hit!.listing.creator).toBe(provider.agent.address)
    expect(hit!.listing.price?.amount).toBe(2_000n)
    expect(hit!.listing.manifest?.[gotongTermsKey]).toMatchObject({
      sla: { p95LatencyMs: 1_500, callsPerMinute: 600 },
    })
  })

  test('a consumer pays for a profile and a dedupe; both ledgers agree', async () => {
    const [stats, dedupe] = provider.served
    const profiled = await consumer.call(stats!.toolId, { csv })
    const profile = DatasetProfile.parse(profiled.output)
    expect(profile.rowCount).toBe(4)
    expect(profile.columns.find((c) => c.name === 'age')).toMatchObject({
      type: 'number',
      missing: 1,
      numeric: { min: 36, max: 85, median: 36 },
    })
    const deduped = DedupeResult.parse((await consumer.call(dedupe!.toolId, { csv })).output)
    expect(deduped).toMatchObject({ total: 4, unique: 3, duplicates: 1 })
    expect(deduped.groups[0]!.indices).toEqual([0, 2])

    const paid = consumer.ledger().paid
    expect(paid.map((v) => [v.status, v.amount])).toEqual([
      ['served', 2_000n],
      ['served', 1_000n],
    ])
    const earned = provider.agent.ledger().earned
    expect(earned.map((v) => v.requestHash).sort()).toEqual(paid.map((v) => v.requestHash).sort())
  })

  test('bad input is refused before anyone pays', async () => {
    const [stats] = provider.served
    const before = consumer.ledger().paid.filter((v) => v.status === 'served').length
    // A CSV that does not parse is the caller's to fix: an input error with the parser's reason.
    const refused = await consumer.call(stats!.toolId, { csv: 'a,b\n1,2,3\n' }).catch((e) => e)
    expect([refused.code, refused.data?.reason]).toEqual(['INPUT_INVALID', 'CSV_INVALID'])
    const wrong = await consumer.call(stats!.toolId, { rows: [] }).catch((e) => e)
    expect(wrong.code).toBe('INPUT_INVALID')
    expect(consumer.ledger().paid.filter((v) => v.status === 'served')).toHaveLength(before)
  })
})

describe('node agents/stats-provider', () => {
  test('runs alone from GOTONG_* variables, prints its tools, stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        fileURLToPath(new URL('./run.ts', import.meta.url)),
      ],
      {
        env: {
          ...process.env,
          GOTONG_RPC_URL: devnet.rpcUrl,
          GOTONG_DEPLOYMENTS: devnet.deploymentsFile!,
          GOTONG_PRIVATE_KEY: devnet.accounts[3]!.privateKey,
          GOTONG_STORE: join(dir, 'alone'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    const lines: string[] = []
    let stderr = ''
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    for await (const line of createInterface({ input: child.stdout })) {
      lines.push(line)
      if (line.startsWith('ready')) break
    }
    expect(stderr).toBe('')
    expect(lines[0]).toMatch(
      new RegExp(`^stats-provider ${devnet.accounts[3]!.address} at http://127\\.0\\.0\\.1:\\d+$`),
    )
    const ids = lines.flatMap((line) => /^ {2}tool (\d+) (\S+) /.exec(line)?.slice(1) ?? [])
    const pairs = [ids.slice(0, 2), ids.slice(2, 4)]
    expect(pairs.map(([, name]) => name)).toEqual(['dataset-stats', 'dedupe'])
    // Each priced tool also answers x402, and says where.
    expect(
      lines.filter((line) =>
        /^ {4}x402 http:\/\/127\.0\.0\.1:\d+\/tools\/[a-z-]+\/x402$/.test(line),
      ),
    ).toHaveLength(2)

    // What it printed is live: a consumer can buy from it.
    const result = await consumer.call(BigInt(pairs[1]![0]!), { records: [1, 1, 2] })
    expect(DedupeResult.parse(result.output).unique).toBe(2)

    const rest: string[] = []
    child.stdout.on('data', (chunk) => rest.push(String(chunk)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(rest.join('')).toBe('stats-provider: stopping\nstats-provider: stopped\n')
  }, 60_000)
})
