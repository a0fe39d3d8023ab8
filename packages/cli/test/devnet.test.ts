import { execFileSync, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const gotong = (...args: string[]) =>
  spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

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
      const proc = gotong('devnet', '--json')
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
