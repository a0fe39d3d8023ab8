import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Agent, AgentError, createAgent, type Network } from '@gotong/agent'
import type { RunningAgent } from '@gotong/agent-runner'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { Conversion } from '@gotong/tool-convert'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { start } from '../src/index.js'

let devnet: Devnet
let dir: string
let provider: RunningAgent
let consumer: Agent
beforeAll(async () => {
  devnet = await startDevnet({ accounts: 3 })
  dir = mkdtempSync(join(tmpdir(), 'gotong-convert-provider-'))
  const network = devnet as Network
  provider = await start({
    network,
    account: devnet.accounts[1]!.privateKey,
    store: join(dir, 'p'),
  })
  consumer = await createAgent({
    network,
    account: devnet.accounts[2]!.privateKey,
    store: join(dir, 'c'),
  })
})
afterAll(async () => {
  await consumer?.stop()
  await provider?.stop()
  await devnet?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('convert provider', () => {
  test('sells conversions; currency results carry the rate table’s date', async () => {
    const [convert] = provider.served
    expect(convert).toMatchObject({ name: 'convert', price: 500n })
    const miles = Conversion.parse(
      (await consumer.call(convert!.toolId, { value: 42.195, from: 'km', to: 'mi' })).output,
    )
    expect(miles.text).toBe('42.195 km = 26.2188 mi')
    const rupiah = Conversion.parse(
      (await consumer.call(convert!.toolId, { value: 20, from: 'EUR', to: 'IDR' })).output,
    )
    expect(rupiah).toMatchObject({ result: 335_800, rates: { date: '2025-01-02', base: 'EUR' } })
    expect(provider.agent.ledger().earned).toHaveLength(2)
  })

  test('an unknown unit is refused with the reason, and costs nothing', async () => {
    const [convert] = provider.served
    const error = await consumer
      .call(convert!.toolId, { value: 1, from: 'furlong', to: 'm' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AgentError)
    expect((error as AgentError).code).toBe('INPUT_INVALID')
    expect(JSON.stringify((error as AgentError).data)).toContain(
      'Unknown unit \\"furlong\\". Known length units: m, km',
    )
    expect(consumer.ledger().paid.map((v) => v.status)).toEqual(['served', 'served', 'failed'])
    // The provider rolled its voucher back: the next call reuses it.
    expect(provider.agent.ledger().earned.map((v) => v.status)).toEqual([
      'committed',
      'committed',
      'rolled_back',
    ])
  })
})
