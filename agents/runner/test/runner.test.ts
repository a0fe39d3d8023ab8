import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineTool } from '@gotong/agent'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { readAgentEnv, runAlone, startProvider } from '../src/index.js'

let devnet: Devnet
let dir: string
beforeAll(async () => {
  devnet = await startDevnet({ accounts: 3 })
  dir = mkdtempSync(join(tmpdir(), 'gotong-runner-'))
})
afterAll(async () => {
  await devnet?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const echo = defineTool({
  name: 'echo',
  description: 'Returns its input text.',
  tags: ['echo'],
  input: z.object({ text: z.string() }),
  output: z.object({ text: z.string() }),
  handler: ({ text }) => ({ text }),
})

let stores = 0
const envFor = (extra: Record<string, string> = {}) => ({
  GOTONG_RPC_URL: devnet.rpcUrl,
  GOTONG_DEPLOYMENTS: devnet.deploymentsFile!,
  GOTONG_PRIVATE_KEY: devnet.accounts[1]!.privateKey,
  GOTONG_STORE: join(dir, `store-${stores++}`),
  ...extra,
})

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (e: { code?: string; message?: string }) => e.code ?? e.message,
  )

describe('readAgentEnv', () => {
  test('reads the chain, checks the deployments against it, keeps the options', async () => {
    const setup = await readAgentEnv(envFor({ GOTONG_PORT: '0', GOTONG_HOST: '127.0.0.1' }))
    expect(setup.network).toEqual({
      rpcUrl: devnet.rpcUrl,
      chainId: 31337,
      deployments: devnet.deployments,
    })
    expect(setup).toMatchObject({
      account: devnet.accounts[1]!.privateKey,
      port: 0,
      host: '127.0.0.1',
    })
  })

  test('GOTONG_X402 turns the tools’ x402 face off; GOTONG_X402_FACILITATOR names a facilitator', async () => {
    expect((await readAgentEnv(envFor())).x402).toBeUndefined()
    expect((await readAgentEnv(envFor({ GOTONG_X402: 'off' }))).x402).toBe(false)
    expect(
      (await readAgentEnv(envFor({ GOTONG_X402_FACILITATOR: 'http://127.0.0.1:4021' }))).x402,
    ).toEqual({ facilitator: 'http://127.0.0.1:4021' })
    expect(await failure(readAgentEnv(envFor({ GOTONG_X402: 'maybe' })))).toBe('INVALID_INPUT')
    const running = await startProvider(
      { ...(await readAgentEnv(envFor({ GOTONG_X402: 'off' }))) },
      'echo-provider',
      [{ tool: echo, options: { price: '0.001' } }],
    )
    expect(running.served[0]!.x402Url).toBeUndefined()
    await running.stop()
  })

  test('GOTONG_LEDGER_URL gives the agent a PostgreSQL payee ledger; anything but a postgres URL is refused', async () => {
    expect((await readAgentEnv(envFor())).agent).toBeUndefined()
    const url = 'postgresql://gotong@db.internal:5432/gotong'
    expect((await readAgentEnv(envFor({ GOTONG_LEDGER_URL: url }))).agent).toEqual({
      ledger: { url },
    })
    expect(
      await failure(readAgentEnv(envFor({ GOTONG_LEDGER_URL: 'http://db.internal/gotong' }))),
    ).toBe('INVALID_INPUT')
  })

  test('GOTONG_PUBLIC_URL is the URL its listings name (a balancer in front of replicas); anything but http(s) is refused', async () => {
    const publicUrl = 'http://balancer.internal:8080'
    const url = 'postgresql://gotong@db.internal:5432/gotong'
    expect(
      (await readAgentEnv(envFor({ GOTONG_LEDGER_URL: url, GOTONG_PUBLIC_URL: publicUrl }))).agent,
    ).toEqual({ ledger: { url }, publicUrl })
    expect(
      await failure(readAgentEnv(envFor({ GOTONG_PUBLIC_URL: 'ftp://balancer.internal' }))),
    ).toBe('INVALID_INPUT')
  })

  test('typed errors: missing or malformed variables, wrong chain, no node', async () => {
    const { GOTONG_PRIVATE_KEY: _, ...noKey } = envFor()
    expect(await failure(readAgentEnv(noKey))).toBe('INVALID_INPUT')
    expect(await failure(readAgentEnv(envFor({ GOTONG_PRIVATE_KEY: '0x1234' })))).toBe(
      'INVALID_INPUT',
    )
    expect(await failure(readAgentEnv(envFor({ GOTONG_PORT: 'eighty' })))).toBe('INVALID_INPUT')
    const other = join(dir, 'other-chain.json')
    writeFileSync(other, JSON.stringify({ ...devnet.deployments, chainId: 1 }))
    expect(await failure(readAgentEnv(envFor({ GOTONG_DEPLOYMENTS: other })))).toBe(
      'DEPLOYMENTS_CHAIN_MISMATCH',
    )
    expect(
      await failure(readAgentEnv(envFor({ GOTONG_DEPLOYMENTS: join(dir, 'none.json') }))),
    ).toBe('DEPLOYMENTS_INVALID')
    expect(await failure(readAgentEnv(envFor({ GOTONG_RPC_URL: 'http://127.0.0.1:9' })))).toBe(
      'RPC_UNREACHABLE',
    )
  })
})

describe('runAlone', () => {
  test('prints address, URL and tools; stops cleanly when signalled', async () => {
    const lines: string[] = []
    const controller = new AbortController()
    let url: string | undefined
    const code = await runAlone(
      (setup) =>
        startProvider(setup, 'echo-provider', [{ tool: echo, options: { price: '0.001' } }]),
      {
        kind: 'echo-provider',
        env: envFor(),
        signal: controller.signal,
        print: (line) => {
          lines.push(line)
          if (line.startsWith('ready')) controller.abort()
        },
        afterStart: async (running) => {
          url = running.agent.url
          const response = await fetch(`${url}/tools/echo/call`, { method: 'POST', body: '{}' })
          expect(response.status).toBe(400) // up, and refusing an unsigned call
        },
      },
    )
    expect(code).toBe(0)
    expect(lines[0]).toBe(`echo-provider ${devnet.accounts[1]!.address} at ${url}`)
    expect(lines[1]).toMatch(
      /^ {2}tool \d+ echo 0\.001 gUSD\/call eip155:31337\/erc8257:0x[0-9a-fA-F]{40}\/\d+$/,
    )
    expect(lines.slice(2)).toEqual([
      `    x402 ${url}/tools/echo/x402`,
      'ready; SIGINT or SIGTERM stops it',
      'echo-provider: stopping',
      'echo-provider: stopped',
    ])
    // Stopped means the port no longer answers.
    expect(await failure(fetch(`${url}/tools/echo/call`, { method: 'POST' }))).toBe('fetch failed')
  })

  test('a bad environment exits 1 with the reason, starting nothing', async () => {
    const errors: string[] = []
    let started = false
    const code = await runAlone(
      async () => {
        started = true
        throw new Error('unreachable')
      },
      { kind: 'echo-provider', env: {}, printError: (line) => errors.push(line), print: () => {} },
    )
    expect(code).toBe(1)
    expect(started).toBe(false)
    expect(errors[0]).toBe('echo-provider: could not start.')
    expect(errors[1]).toMatch(/^Invalid environment: GOTONG_RPC_URL/)
  })
})
