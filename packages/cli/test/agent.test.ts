import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { gotong, gotongCommand, gusdOf, json, spawnGotong, type Where } from './gotong.js'
import { gone, shellWords } from './processes.js'

let devnet: Devnet
let dir: string
let where: Where

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gotong-cli-agent-'))
  devnet = await startDevnet({ accounts: 3, deploymentsFile: join(dir, 'deployments.json') })
  where = {
    cwd: dir,
    env: { GOTONG_RPC_URL: devnet.rpcUrl, GOTONG_DEPLOYMENTS: join(dir, 'deployments.json') },
  }
}, 60_000)
afterAll(async () => {
  await devnet?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** Output of a long-running child, and a promise for the first line matching `pattern`. */
function watch(child: ReturnType<typeof spawnGotong>) {
  const out = { stdout: '', stderr: '' }
  child.stdout.on('data', (c: Buffer) => {
    out.stdout += c.toString()
  })
  child.stderr.on('data', (c: Buffer) => {
    out.stderr += c.toString()
  })
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  const until = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(out.stdout)) {
          child.stdout.off('data', check)
          resolve()
        }
      }
      child.stdout.on('data', check)
      exited.then((code) => reject(new Error(`exited with ${code}: ${out.stderr}`)))
      check()
    })
  return { out, exited, until }
}

describe('gotong agent start', () => {
  test('a ready-made provider serves paid calls until SIGTERM; its watcher claims on close; --help and unknown names list the agents', async () => {
    const [provider, consumer] = [devnet.accounts[1]!, devnet.accounts[2]!]
    const child = spawnGotong(
      where,
      'agent',
      'start',
      'stats-provider',
      '--key',
      provider.privateKey,
      '--store',
      join(dir, 'stats-provider'),
    )
    const running = watch(child)
    try {
      const [unknown, help, badFacilitator] = await Promise.all([
        gotong(where, 'agent', 'start', 'weather-provider', '--key', provider.privateKey),
        gotong(where, 'agent', 'start', '--help'),
        gotong(where, 'agent', 'start', 'stats-provider', '--x402-facilitator', 'ftp://x'),
        running.until(/^ready; SIGINT or SIGTERM stops it$/m),
      ])
      expect(help.stdout).toContain('Ready-made agents:')
      expect(help.stdout).toContain('--no-x402')
      expect(badFacilitator.code).toBe(1)
      expect(badFacilitator.stderr).toContain('expected the http(s) URL of an x402 facilitator.')
      for (const name of ['stats-provider', 'premium-provider', 'orchestrator'])
        expect(help.stdout).toContain(`  ${name}`)
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toMatch(
        /^error \[AGENT_UNKNOWN\]: There is no ready-made agent called "weather-provider"\.\n\nKnown agents: stats-provider, text-provider, budget-text-provider, premium-provider, convert-provider, orchestrator/,
      )
      expect(running.out.stdout).toContain(
        `stats-provider ${provider.address} at http://127.0.0.1:`,
      )
      const toolId = /tool (\d+) dataset-stats 0\.002 gUSD\/call/.exec(running.out.stdout)?.[1]
      expect(toolId).toBeDefined()
      // Each tool also answers x402, by default.
      expect(running.out.stdout).toMatch(
        /\n {4}x402 http:\/\/127\.0\.0\.1:\d+\/tools\/dataset-stats\/x402\n/,
      )

      const earned = await gusdOf(devnet, provider.address)
      const me = { ...where, env: { ...where.env, GOTONG_PRIVATE_KEY: consumer.privateKey } }
      const call = json<{
        output: { rowCount: number; columnCount: number }
        channel: { channelId: string }
        receipt: { verified: boolean }
      }>(
        await gotong(
          me,
          'call',
          toolId!,
          '--input',
          JSON.stringify({ csv: 'a,b\n1,2\n3,4\n' }),
          '--max-price',
          '0.002',
          '--json',
        ),
      )
      expect(call.output).toMatchObject({ rowCount: 2, columnCount: 2 })
      expect(call.receipt.verified).toBe(true)

      // The payer starts a close; the provider's watcher claims its voucher within the window.
      json(await gotong(me, 'channels', 'close', call.channel.channelId, '--json'))
      const deadline = Date.now() + 15_000
      while ((await gusdOf(devnet, provider.address)) === earned && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100))
      expect(await gusdOf(devnet, provider.address)).toBe(earned + 2_000n)
    } finally {
      child.kill('SIGTERM')
    }
    expect(await running.exited).toBe(0)
    expect(running.out.stdout).toContain('stats-provider: stopped')
  }, 90_000)
})

describe('gotong agent start under npx or npm run', () => {
  test('a SIGTERM to the shell between them and gotong stops the agent cleanly', async () => {
    const command = [...gotongCommand, 'agent', 'start', 'convert-provider']
    const options = ['--key', devnet.accounts[0]!.privateKey, '--store', join(dir, 'convert')]
    // As npx and npm run start it: through sh -c, which a SIGTERM kills without passing it on.
    const shell = spawn('sh', ['-c', `${shellWords([...command, ...options])}; exit $?`], {
      cwd: where.cwd,
      env: { ...process.env, ...where.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const running = watch(shell)
    await running.until(/^ready; SIGINT or SIGTERM stops it$/m)
    const url = /convert-provider 0x[0-9a-fA-F]{40} at (\S+)/.exec(running.out.stdout)?.[1]
    const agentPid = Number(
      execFileSync('pgrep', ['-P', String(shell.pid)])
        .toString()
        .trim(),
    )
    try {
      shell.kill('SIGTERM')
      expect(await gone(agentPid)).toBe(true)
      await finished(shell.stdout)
      expect(running.out.stdout).toMatch(/convert-provider: stopping\nconvert-provider: stopped\n$/)
      await expect(fetch(url!)).rejects.toThrow()
    } finally {
      if (!(await gone(agentPid, 0))) process.kill(agentPid, 'SIGKILL')
    }
  }, 60_000)
})
