import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { advanceTime, gusdOf, json, type Run, gotong as run } from './gotong.js'

let devnet: Devnet
let dir: string
let project: string
let env: Record<string, string>

function gotong(...args: string[]): Promise<Run> {
  return run({ cwd: project, env }, ...args)
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gotong-cli-stake-'))
  project = join(dir, 'project')
  await mkdir(project)
  devnet = await startDevnet({ accounts: 2, deploymentsFile: join(dir, 'deployments.json') })
  env = {
    GOTONG_RPC_URL: devnet.rpcUrl,
    GOTONG_DEPLOYMENTS: join(dir, 'deployments.json'),
    GOTONG_PRIVATE_KEY: devnet.accounts[1]!.privateKey,
  }
}, 60_000)
afterAll(async () => {
  await devnet?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('gotong stake', () => {
  test('add, show in search, unstake, withdraw only after the delay', async () => {
    const provider = devnet.accounts[1]!.address
    const manifest = join(dir, 'stock.json')
    await writeFile(
      manifest,
      JSON.stringify({
        type: 'https://ercs.ethereum.org/ERCS/erc-8257#tool-manifest-v1',
        name: 'stock-level',
        description: 'Stock level of a SKU.',
        endpoint: 'http://127.0.0.1:7001/stock',
        inputs: { type: 'object', properties: { sku: { type: 'string' } } },
        outputs: { type: 'object' },
        tags: ['stock'],
      }),
    )
    expect((await gotong('publish', manifest, '--price', '0.002')).code).toBe(0)
    const before = await gusdOf(devnet, provider)
    expect(json(await gotong('stake', 'add', '250', '--json'))).toMatchObject({
      staked: '250000000',
    })
    expect(await gusdOf(devnet, provider)).toBe(before - 250_000_000n)
    expect(json(await gotong('stake', 'show', provider, '--json'))).toMatchObject({
      stake: '250000000',
      staked: '250000000',
      pending: '0',
    })
    const search = await gotong('search', 'stock')
    expect(search.stdout).toContain('stake 250 gUSD')

    expect((await gotong('stake', 'unstake', '100')).code).toBe(0)
    const early = await gotong('stake', 'withdraw')
    expect(early.code).toBe(1)
    expect(early.stderr).toMatch(
      /^error \[STAKE_REFUSED\]: ProviderStake refused withdraw: WithdrawalLocked/,
    )
    expect((await gotong('search', 'stock')).stdout).toContain('stake 150 gUSD')
    await advanceTime(devnet, 7 * 24 * 60 * 60)
    expect(json(await gotong('stake', 'withdraw', '--json'))).toMatchObject({
      withdrawn: '100000000',
    })
    expect(await gusdOf(devnet, provider)).toBe(before - 150_000_000n)
  }, 120_000)
})
