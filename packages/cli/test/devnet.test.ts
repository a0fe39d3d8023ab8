import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { isAlive } from './processes.js'

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const gotong = (...args: string[]) =>
  spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })

/** anvil processes whose parent is `pid`. */
const anvilChildren = (pid: number) => {
  try {
    return execFileSync('pgrep', ['-P', String(pid), '-x', 'anvil'])
      .toString()
      .trim()
      .split('\n')
      .map(Number)
  } catch {
    return []
  }
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gotong-cli-devnet-'))
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** Holds a loopback port; resolves undefined if something else holds it already. */
function hold(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(undefined))
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

async function firstLine(proc: ReturnType<typeof gotong>): Promise<string> {
  let out = ''
  let err = ''
  proc.stderr.on('data', (c: Buffer) => {
    err += c.toString()
  })
  return new Promise((resolve, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('\n')) resolve(out.split('\n')[0] ?? '')
    })
    proc.once('exit', (code) => reject(new Error(`gotong exited with ${code}: ${err}`)))
  })
}

describe('gotong devnet --json', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)(
    'prints rpcUrl, chainId and addresses; the node answers; %s leaves no anvil',
    async (signal) => {
      const deployments = join(dir, `${signal}.json`)
      const proc = gotong('devnet', '--json', '--deployments', deployments)
      const info = JSON.parse(await firstLine(proc))
      expect(info).toMatchObject({
        rpcUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        chainId: 31337,
        contracts: {
          gotongToken: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
          accessPass: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
        },
      })
      expect(info.accounts[0]).toMatchObject({ gUSD: '10000' })
      // The deployments file other commands read with --deployments.
      expect(info.deploymentsFile).toBe(deployments)
      expect(JSON.parse(await readFile(deployments, 'utf8')).contracts).toEqual(info.contracts)
      const response = await fetch(info.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      })
      expect(await response.json()).toMatchObject({ result: '0x7a69' })

      const anvils = anvilChildren(proc.pid!)
      expect(anvils).toHaveLength(1)
      const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
      proc.kill(signal)
      expect(await exited).toBe(0)
      for (const pid of anvils) expect(isAlive(pid)).toBe(false)
      await expect(fetch(info.rpcUrl, { method: 'POST', body: '{}' })).rejects.toThrow()
    },
  )
})

describe('gotong devnet text', () => {
  test('one column of labels, the accounts as an aligned table', async () => {
    const proc = gotong(
      'devnet',
      '--port',
      '0',
      '--accounts',
      '3',
      '--deployments',
      join(dir, 'text.json'),
    )
    let out = ''
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        if (out.includes('Press Ctrl-C to stop.\n')) resolve()
      })
      proc.once('exit', (code) => reject(new Error(`gotong exited with ${code}`)))
    })
    const exited = new Promise((r) => proc.once('exit', r))
    proc.kill('SIGTERM')
    await exited
    expect(
      out.replaceAll(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>').replaceAll(dir, '<dir>'),
    ).toMatchInlineSnapshot(`
      "RPC URL                 http://127.0.0.1:<port>
      Chain id                31337
      GotongToken             0x5FbDB2315678afecb367f032d93F642f64180aa3
      AccessPass              0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512
      ToolDirectory           0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0
      PaymentChannels         0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9
      AlwaysDenyPredicate     0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9
      IdentityRegistry        0x5FC8d32690cc91D4c39d9d3abcBD16989F875707
      ReputationRegistry      0x0165878A594ca255338adfa4d48449f69242Eb8F
      ValidationRegistry      0xa513E6E4b8f2a923D98304ec87F64353C4D5C853
      ReceiptFeedbackGateway  0x2279B7A0a67DB372996a5FaB50D91eAA73d2eBe6
      ProviderStake           0x8A791620dd6260079BF849Dc5567aDC3F2FdC318
      Deployments             <dir>/text.json

      Funded test accounts (well-known anvil keys: never use them on a real chain):
        #  Address                                      gUSD  Private key
        0  0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266  10000  0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
        1  0x70997970C51812dc3A010C7d01b50e0d17dc79C8  10000  0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
        2  0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC  10000  0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a

      For the other commands: export GOTONG_RPC_URL=http://127.0.0.1:<port> GOTONG_DEPLOYMENTS=<dir>/text.json
      Devnet running. Press Ctrl-C to stop.
      "
    `)
  })
})

describe('gotong devnet ports', () => {
  test('8545 by default; taken, a free port with a note; a port asked for and taken fails', async () => {
    const server = await hold(8545)
    try {
      const proc = gotong('devnet', '--json', '--deployments', join(dir, 'fallback.json'))
      let err = ''
      proc.stderr.on('data', (c: Buffer) => {
        err += c.toString()
      })
      const info = JSON.parse(await firstLine(proc))
      expect(info.rpcUrl).not.toBe('http://127.0.0.1:8545')
      expect(err).toContain(`note: port 8545 is in use, so the devnet listens on ${info.rpcUrl}`)
      const exited = new Promise((r) => proc.once('exit', r))
      proc.kill('SIGTERM')
      await exited

      const asked = gotong('devnet', '--port', '8545', '--deployments', join(dir, 'asked.json'))
      let askedErr = ''
      asked.stderr.on('data', (c: Buffer) => {
        askedErr += c.toString()
      })
      expect(await new Promise((r) => asked.once('exit', r))).toBe(1)
      expect(askedErr).toMatch(
        /^error \[DEVNET_PORT_IN_USE\]: Port 8545 on 127\.0\.0\.1 is already in use\./,
      )
    } finally {
      server?.close()
    }
  })
})

describe('gotong --help and bad flags', () => {
  test('--help lists the commands', async () => {
    const proc = gotong('--help')
    let out = ''
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString()
    })
    await new Promise((r) => proc.once('exit', r))
    expect(out).toContain('devnet')
    expect(out).toContain('swarm')
  })

  test('an invalid port says what is expected and exits non-zero', async () => {
    const proc = gotong('devnet', '--port', 'abc')
    let err = ''
    proc.stderr.on('data', (c: Buffer) => {
      err += c.toString()
    })
    const code = await new Promise((r) => proc.once('exit', r))
    expect(code).not.toBe(0)
    expect(err).toContain('expected a port number from 0 to 65535')
  })
})
