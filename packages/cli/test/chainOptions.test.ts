import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { gotong } from './gotong.js'

/** The commands that take no chain options, and why. Every other command must list them. */
const noChain: Record<string, string> = {
  devnet: 'it starts a chain of its own (its --deployments is the file it writes)',
  swarm: 'it starts a devnet of its own',
  'agent list': 'it lists the ready-made agents, from no chain',
}

/** `--help` of every command a user can run, by its path (`channels claim`). */
function everyHelp(): Map<string, string> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
  const script = fileURLToPath(new URL('./helps.ts', import.meta.url))
  const run = spawnSync(process.execPath, ['--conditions=source', '--import', tsx, script], {
    encoding: 'utf8',
  })
  expect(run.status, run.stderr).toBe(0)
  return new Map(Object.entries(JSON.parse(run.stdout) as Record<string, string>))
}

describe('the common chain options', () => {
  test('`--help` of every command but the few that need no chain lists --rpc and --deployments with their variables', () => {
    const helps = everyHelp()
    for (const name of Object.keys(noChain)) expect(helps.has(name), name).toBe(true)
    const chainCommands = [...helps.keys()].filter((name) => !Object.hasOwn(noChain, name))
    expect(chainCommands).toEqual(
      expect.arrayContaining([
        'publish',
        'search',
        'tool',
        'call',
        'channels list',
        'channels close',
        'channels finalize',
        'channels claim',
        'receipts list',
        'receipts export',
        'agent start',
      ]),
    )
    for (const name of chainCommands) {
      const help = helps.get(name)!.replace(/\s+/g, ' ')
      expect(help, name).toMatch(
        /--rpc <url> JSON-RPC URL of the chain .*\(default: "http:\/\/127\.0\.0\.1:8545", env: GOTONG_RPC_URL\)/,
      )
      expect(help, name).toMatch(
        /--deployments <file> deployments file of gotong on that chain .*\(default: "\.gotong\/deployments\.json", env: GOTONG_DEPLOYMENTS\)/,
      )
    }
  }, 60_000)
})

describe('gotong receipts with chain options', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gotong-cli-options-'))
  })
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  test('export --rpc <url> --deployments <file> succeeds without asking the chain', async () => {
    const where = { cwd: dir, env: { GOTONG_RPC_URL: '', GOTONG_DEPLOYMENTS: '' } }
    // Nothing listens at this URL and the file does not exist: receipts read only the store.
    const chain = ['--rpc', 'http://127.0.0.1:9', '--deployments', join(dir, 'none.json')]
    const key = `0x${'11'.repeat(32)}`
    const [csv, list] = await Promise.all([
      gotong(where, 'receipts', 'export', ...chain, '--key', key),
      gotong(where, 'receipts', ...chain, '--key', key, '--json'),
    ])
    expect(csv.code, csv.stderr).toBe(0)
    expect(csv.stdout).toBe(
      'side,scheme,channelId,call,amount,cumulativeAmount,termsHash,status,requestHash,responseHash,servedAt,receiptSignature,voucherSignature,authorizationNonce,transaction\r\n',
    )
    expect(list.code, list.stderr).toBe(0)
    expect(JSON.parse(list.stdout)).toEqual([])
    // Reading an agent's books writes nothing.
    expect(await readdir(dir)).toEqual([])
  }, 60_000)
})
