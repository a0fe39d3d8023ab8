import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createProgram } from '../src/program.js'
import { gotong } from './gotong.js'

/**
 * Every command of `gotong`: `true` if it takes the common chain options, otherwise why not. A
 * command that needs no chain but may be handed them (`receipts`) takes them too.
 */
const table: Record<string, true | string> = {
  devnet: 'it starts a chain of its own (its --deployments is the file it writes)',
  swarm: 'it starts a devnet of its own',
  publish: true,
  search: true,
  tool: true,
  call: true,
  'channels list': true,
  'channels close': true,
  'channels finalize': true,
  'channels claim': true,
  'receipts list': true,
  'receipts export': true,
  'agent start': true,
  'agent list': 'it lists the ready-made agents, from no chain',
}

/** The commands a user can run, by their path (`channels claim`). */
function leaves(command: Command, path: string[] = []): Map<string, Command> {
  const found = new Map<string, Command>()
  for (const sub of command.commands) {
    const at = [...path, sub.name()]
    if (sub.commands.length) for (const [name, leaf] of leaves(sub, at)) found.set(name, leaf)
    else found.set(at.join(' '), sub)
  }
  return found
}

const commands = leaves(createProgram())

describe('the common chain options', () => {
  test('the table names every command', () => {
    expect([...commands.keys()].sort()).toEqual(Object.keys(table).sort())
  })

  test.each(Object.entries(table).filter(([, takes]) => takes === true))(
    '`gotong %s --help` lists --rpc and --deployments with their variables',
    (name) => {
      const help = commands.get(name)!.helpInformation().replace(/\s+/g, ' ')
      expect(help).toMatch(
        /--rpc <url> JSON-RPC URL of the chain .*\(default: "http:\/\/127\.0\.0\.1:8545", env: GOTONG_RPC_URL\)/,
      )
      expect(help).toMatch(
        /--deployments <file> deployments file of gotong on that chain .*\(default: "\.gotong\/deployments\.json", env: GOTONG_DEPLOYMENTS\)/,
      )
    },
  )
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
      'side,channelId,call,amount,cumulativeAmount,termsHash,status,requestHash,responseHash,servedAt,receiptSignature,voucherSignature\r\n',
    )
    expect(list.code, list.stderr).toBe(0)
    expect(JSON.parse(list.stdout)).toEqual([])
    // Reading an agent's books writes nothing.
    expect(await readdir(dir)).toEqual([])
  }, 30_000)
})
