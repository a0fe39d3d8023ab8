import { spawn } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { contentHash } from '@gotong/core'
import { getTool } from '@gotong/directory'
import { ledgerRows } from '@gotong/payments'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import {
  type McpToolChange,
  type McpWrapperWarning,
  mcpExtensionKey,
  type WrapMcpServerOptions,
  wrapMcpServer,
} from '../src/index.js'
import {
  everythingServer,
  isRunning,
  pagedServer,
  recorder,
  type Setup,
  setup,
  testServer,
} from './wrapperFixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
}, 60_000)
afterAll(async () => {
  await t?.stop()
  // No MCP server outlives its wrapper.
  expect([...(t?.pids ?? [])].filter(isRunning)).toEqual([])
})

type Agent = Awaited<ReturnType<Setup['agent']>>

/** What the provider was paid for (committed) and the consumer paid for (served), in base units. */
function books(provider: Agent, consumer: Agent) {
  const committed = provider.ledger().earned.filter((v) => v.status === 'committed')
  const served = consumer.ledger().paid.filter((v) => v.status === 'served')
  return {
    committedCalls: committed.length,
    earned: ledgerRows(committed).reduce((sum, row) => sum + BigInt(row.amount), 0n),
    paid: served.reduce((sum, v) => sum + v.amount, 0n),
  }
}

/** This folder's MCP server, wrapped; its changes and warnings recorded. */
async function wrapTestServer(options: Omit<WrapMcpServerOptions, 'onChange' | 'onWarning'>) {
  const server = testServer(t.folder(), { description: 'Greets someone by name.' })
  const changes = recorder<McpToolChange>()
  const warnings = recorder<McpWrapperWarning>()
  const wrapped = t.track(
    await wrapMcpServer(server.source, {
      ...options,
      onChange: changes.push,
      onWarning: warnings.push,
    }),
  )
  return { server, changes, warnings, wrapped }
}

describe('selling @modelcontextprotocol/server-everything', () => {
  test('a consumer pays for echo and get-sum; each receipt covers the MCP result; the chain matches both books', async () => {
    // The ground truth: the same server, asked directly with the MCP SDK's own client.
    const direct = new Client({ name: 'test', version: '1.0.0' })
    await direct.connect(
      new StdioClientTransport({ ...everythingServer, args: [...everythingServer.args] }),
    )
    const { tools: listed } = await direct.listTools()

    const wrapped = t.track(
      await wrapMcpServer(everythingServer, {
        prices: { echo: '0.002', 'get-sum': 3_000n },
        onWarning: () => {},
      }),
    )
    expect(wrapped.server).toMatchObject({ name: 'mcp-servers/everything' })
    expect(wrapped.tools.map((tool) => [tool.name, tool.price])).toEqual([
      ['echo', 2_000n],
      ['get-sum', 3_000n],
    ])
    expect(wrapped.unpriced).toContain('get-structured-content')

    const provider = await t.agent(1)
    const consumer = await t.agent(2)
    const served = await wrapped.serve(provider)
    const echoId = served.get('echo')!.toolId
    const sumId = served.get('get-sum')!.toolId
    const providerStart = await t.balance(provider.address)

    // The listing carries the MCP tool's own input schema, and the hash of its definition.
    await consumer.index.sync()
    const hits = await consumer.index.search({ creator: provider.address })
    const offers = hits.flatMap((hit) => hit.offers)
    const manifest = offers.find((offer) => offer.toolId === sumId)!.manifest!
    const getSum = listed.find((tool) => tool.name === 'get-sum')!
    expect(manifest.inputs).toEqual(getSum.inputSchema)
    expect(manifest[mcpExtensionKey]).toEqual({
      toolHash: contentHash(getSum),
      server: { name: 'mcp-servers/everything', version: wrapped.server.version },
    })

    const calls = [
      [echoId, 'echo', { message: 'many hands' }],
      [sumId, 'get-sum', { a: 20, b: 22 }],
      [echoId, 'echo', { message: 'one job' }],
      [sumId, 'get-sum', { a: -1.5, b: 0.25 }],
    ] as const
    for (const [toolId, name, input] of calls) {
      const result = await consumer.call(toolId, input)
      const truth = await direct.callTool({ name, arguments: input })
      expect(result.output).toEqual(truth)
      expect(result.receipt?.receipt.responseHash).toBe(contentHash(result.output))
    }
    expect((await consumer.call(sumId, { a: 2, b: 3 })).output).toEqual({
      content: [{ type: 'text', text: 'The sum of 2 and 3 is 5.' }],
    })

    // Arguments the MCP schema refuses are not charged.
    const refused = await consumer.call(sumId, { a: 'two', b: 3 }).catch((e) => e)
    expect(refused.code).toBe('INPUT_INVALID')

    const before = books(provider, consumer)
    expect(before).toEqual({ committedCalls: 5, earned: 13_000n, paid: 13_000n })
    const channels = new Set(consumer.ledger().paid.map((v) => v.channelId))
    let claimed = 0n
    for (const channelId of channels)
      claimed += (await provider.settler.claim(channelId))?.amount ?? 0n
    expect(claimed).toBe(before.earned)
    expect(await t.balance(provider.address)).toBe(providerStart + before.paid)
    await direct.close()
  })
})

describe('a server reached over Streamable HTTP', () => {
  test('server-everything on its own HTTP port: echo is sold through a channel, the output is what the server says, the chain matches both books', async () => {
    const port = await freePort()
    const child = spawn(everythingServer.command, [everythingServer.args[0], 'streamableHttp'], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    t.pids.add(child.pid!)
    try {
      // It says so on stderr once it listens.
      await new Promise<void>((resolve, reject) => {
        let said = ''
        child.stderr!.on('data', (chunk) => {
          said += chunk
          if (said.includes('listening')) resolve()
        })
        child.once('exit', (code) =>
          reject(new Error(`server-everything exited (${code}): ${said}`)),
        )
      })
      const url = `http://127.0.0.1:${port}/mcp`
      const direct = new Client({ name: 'test', version: '1.0.0' })
      await direct.connect(new StreamableHTTPClientTransport(new URL(url)))

      const wrapped = t.track(
        await wrapMcpServer({ url }, { prices: { echo: '0.004' }, onWarning: () => {} }),
      )
      expect(wrapped.pid).toBeUndefined()
      expect(wrapped.tools.map((tool) => [tool.name, tool.price])).toEqual([['echo', 4_000n]])
      const provider = await t.agent(7)
      const consumer = await t.agent(2)
      const providerStart = await t.balance(provider.address)
      const served = await wrapped.serve(provider)
      const echoId = served.get('echo')!.toolId

      for (const message of ['over http', 'twice over http']) {
        const result = await consumer.call(echoId, { message })
        expect(result.output).toEqual(
          await direct.callTool({ name: 'echo', arguments: { message } }),
        )
        expect(result.receipt?.receipt.responseHash).toBe(contentHash(result.output))
      }
      expect(books(provider, consumer)).toEqual({ committedCalls: 2, earned: 8_000n, paid: 8_000n })
      const channels = new Set(
        consumer
          .ledger()
          .paid.filter((v) => v.status === 'served' && v.amount === 4_000n)
          .map((v) => v.channelId),
      )
      for (const channelId of channels) await provider.settler.claim(channelId)
      expect(await t.balance(provider.address)).toBe(providerStart + 8_000n)
      await direct.close()
    } finally {
      child.kill('SIGKILL')
    }
  })
})

describe('tool errors', () => {
  test('a tool error and arguments only the server refuses charge nothing; the caller sees why', async () => {
    const { wrapped } = await wrapTestServer({ prices: { default: '0.001' } })
    const provider = await t.agent(3)
    const consumer = await t.agent(2)
    const served = await wrapped.serve(provider)

    const failed = await consumer.call(served.get('fail')!.toolId, {}).catch((e) => e)
    expect(failed.code).toBe('HANDLER_FAILED')
    // The JSON Schema the server lists says only "a string": its own validation refuses this.
    const shouted = await consumer
      .call(served.get('shout')!.toolId, { word: 'quiet' })
      .catch((e) => e)
    expect([shouted.code, shouted.data.reason]).toEqual(['INPUT_INVALID', 'MCP_INPUT_INVALID'])
    expect(shouted.shortMessage).toMatch(
      /Invalid arguments for tool shout: word: must be upper case/,
    )
    expect(books(provider, consumer)).toEqual({ committedCalls: 0, earned: 0n, paid: 0n })

    const ok = await consumer.call(served.get('shout')!.toolId, { word: 'LOUD' })
    expect(ok.output).toEqual({ content: [{ type: 'text', text: 'LOUD!' }] })
    expect(books(provider, consumer)).toEqual({ committedCalls: 1, earned: 1_000n, paid: 1_000n })
  })
})

describe('definition changes', () => {
  test('a tool whose definition changed is refused without charge, and nothing is published', async () => {
    const { server, changes, warnings, wrapped } = await wrapTestServer({
      prices: { greet: '0.001' },
    })
    expect(wrapped.unpriced).toEqual(['shout', 'fail', 'hang'])
    const provider = await t.agent(4)
    const consumer = await t.agent(2)
    const greet = (await wrapped.serve(provider)).get('greet')!
    const address = t.devnet.deployments!.contracts.toolDirectory
    const published = await getTool(t.devnet.publicClient, { address, toolId: greet.toolId })
    expect((await consumer.call(greet.toolId, { name: 'Ada' })).output).toEqual({
      content: [{ type: 'text', text: 'Hello, Ada!' }],
    })

    server.define({ description: 'Greets someone. Also sends their name to a third party.' })
    process.kill(wrapped.pid!, 'SIGHUP') // the server updates greet and says list_changed
    const change = await changes.when((c) => c.kind === 'changed')
    expect(change).toMatchObject({ name: 'greet', accepted: false })
    expect(wrapped.tools.find((tool) => tool.name === 'greet')?.state).toBe('changed')
    expect(warnings.seen.map((w) => w.code)).toEqual(['MCP_TOOL_CHANGED'])

    const refused = await consumer.call(greet.toolId, { name: 'Ada' }).catch((e) => e)
    expect(refused.code).toBe('HANDLER_FAILED')
    expect(books(provider, consumer)).toEqual({ committedCalls: 1, earned: 1_000n, paid: 1_000n })
    const now = await getTool(t.devnet.publicClient, { address, toolId: greet.toolId })
    expect([now.latestVersion, now.manifestHash]).toEqual([
      published.latestVersion,
      published.manifestHash,
    ])

    // Listed again exactly as published: served again.
    server.define({ description: 'Greets someone by name.' })
    process.kill(wrapped.pid!, 'SIGHUP')
    await changes.when((c) => c.kind === 'restored')
    expect((await consumer.call(greet.toolId, { name: 'Bo' })).output).toEqual({
      content: [{ type: 'text', text: 'Hello, Bo!' }],
    })
  })

  test('with acceptChanges the new definition is published as a new version, and calls use it', async () => {
    const { server, changes, wrapped } = await wrapTestServer({
      prices: { greet: '0.001' },
      acceptChanges: true,
    })
    const provider = await t.agent(5)
    const consumer = await t.agent(2)
    const greet = (await wrapped.serve(provider)).get('greet')!
    expect((await consumer.call(greet.toolId, { name: 'Ada' })).output).toEqual({
      content: [{ type: 'text', text: 'Hello, Ada!' }],
    })

    server.define({ description: 'Greets someone formally, by title and name.', formal: true })
    process.kill(wrapped.pid!, 'SIGHUP')
    const change = await changes.when((c) => c.kind === 'changed')
    expect(change).toMatchObject({ name: 'greet', accepted: true })
    const address = t.devnet.deployments!.contracts.toolDirectory
    const now = await getTool(t.devnet.publicClient, { address, toolId: greet.toolId })
    expect(now.latestVersion).toBe(2n)
    expect(now.manifestHash).toBe((change as { manifestHash: string }).manifestHash)

    // The consumer sees the new version and approves it; the listing has the new schema.
    await consumer.index.sync()
    await consumer.approve(greet.toolId)
    const offers = (await consumer.index.search({ creator: provider.address })).flatMap(
      (h) => h.offers,
    )
    const manifest = offers.find((offer) => offer.toolId === greet.toolId)!.manifest!
    expect(manifest.description).toBe('Greets someone formally, by title and name.')
    expect(manifest.inputs).toMatchObject({ required: ['name', 'title'] })

    // The provider checks calls against the new schema (not the server: no MCP reason).
    const untitled = await consumer.call(greet.toolId, { name: 'Ada' }).catch((e) => e)
    expect([untitled.code, untitled.data.reason, untitled.data.issues[0].path]).toEqual([
      'INPUT_INVALID',
      undefined,
      'title',
    ])
    expect((await consumer.call(greet.toolId, { name: 'Lovelace', title: 'Ms' })).output).toEqual({
      content: [{ type: 'text', text: 'Hello, Ms Lovelace!' }],
    })
    expect(books(provider, consumer)).toEqual({ committedCalls: 2, earned: 2_000n, paid: 2_000n })
  })
})

describe('a crashed server', () => {
  test('is restarted and serves again; the call in flight is not charged; a definition changed meanwhile is refused', async () => {
    const { server, changes, warnings, wrapped } = await wrapTestServer({
      prices: { greet: '0.001', hang: '0.005' },
    })
    const provider = await t.agent(6)
    const consumer = await t.agent(2)
    const served = await wrapped.serve(provider)
    const greetId = served.get('greet')!.toolId
    const hello = (name: string) => ({ content: [{ type: 'text', text: `Hello, ${name}!` }] })
    expect((await consumer.call(greetId, { name: 'Ada' })).output).toEqual(hello('Ada'))

    const first = wrapped.pid!
    const inFlight = consumer.call(served.get('hang')!.toolId, {}).catch((e) => e)
    await vi.waitFor(() => expect(existsSync(server.files.marker)).toBe(true), { timeout: 20_000 })
    process.kill(first, 'SIGKILL')
    expect((await inFlight).code).toBe('HANDLER_FAILED')
    expect(warnings.seen.map((w) => w.code)).toEqual(['MCP_SERVER_CRASHED'])

    // The next call waits out the restart and is served by a new process.
    expect((await consumer.call(greetId, { name: 'Bo' })).output).toEqual(hello('Bo'))
    const second = wrapped.pid!
    t.pids.add(second)
    expect([second === first, isRunning(first)]).toEqual([false, false])
    expect(books(provider, consumer)).toEqual({ committedCalls: 2, earned: 2_000n, paid: 2_000n })

    // Changed while it was down: the definitions are compared when it is back.
    server.define({ description: 'Greets someone. Also keeps a copy of every name.' })
    process.kill(second, 'SIGKILL')
    expect(await changes.when((c) => c.kind === 'changed')).toMatchObject({
      name: 'greet',
      accepted: false,
    })
    t.pids.add(wrapped.pid!)
    const refused = await consumer.call(greetId, { name: 'Cy' }).catch((e) => e)
    expect(refused.code).toBe('HANDLER_FAILED')
    expect(books(provider, consumer)).toEqual({ committedCalls: 2, earned: 2_000n, paid: 2_000n })
  })

  test('one that keeps failing to start is retried after 100 ms, doubling up to 5 s, until it starts', async () => {
    const delays: number[] = []
    const due: (() => void)[] = []
    const { server, warnings, wrapped } = await wrapTestServer({
      prices: { greet: 1_000n },
      timers: {
        setTimeout: (callback, ms) => {
          delays.push(ms)
          return due.push(callback)
        },
        clearTimeout: () => {},
        now: () => 0,
      },
    })
    rmSync(server.files.definition) // the server cannot start without it
    process.kill(wrapped.pid!, 'SIGKILL')
    for (let attempt = 1; attempt <= 7; attempt++) {
      await vi.waitFor(() => expect(due).toHaveLength(attempt), { timeout: 20_000 })
      due[attempt - 1]!()
    }
    await vi.waitFor(() => expect(due).toHaveLength(8), { timeout: 20_000 })
    expect(delays).toEqual([100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000])
    expect(warnings.seen.map((w) => w.code)).toEqual([
      'MCP_SERVER_CRASHED',
      ...Array(7).fill('MCP_RESTART_FAILED'),
    ])

    server.define({ description: 'Greets someone by name.' })
    due[7]!()
    const greet = wrapped.tools[0]!.tool
    const context = {
      caller: t.devnet.accounts[2]!.address,
      termsHash: `0x${'00'.repeat(32)}`,
      signal: new AbortController().signal,
    } as const
    expect(await greet.handler(greet.input.parse({ name: 'Di' }), context)).toEqual({
      content: [{ type: 'text', text: 'Hello, Di!' }],
    })
    const pid = wrapped.pid!
    await wrapped.close()
    expect(isRunning(pid)).toBe(false)
    const closed = await Promise.resolve(greet.handler({ name: 'Ed' }, context)).catch((e) => e)
    expect(closed.code).toBe('MCP_SERVER_UNAVAILABLE')
  })
})

describe('listing', () => {
  test('every page is read; descriptions fit the manifest; names it cannot take are refused', async () => {
    const wrapped = t.track(
      await wrapMcpServer(
        { command: process.execPath, args: [pagedServer], stderr: 'ignore' },
        { prices: { default: 1_000n }, onWarning: () => {} },
      ),
    )
    expect(wrapped.tools.map((tool) => [tool.name, [...tool.tool.description].length])).toEqual([
      ['first', 9],
      ['second', 500],
      ['fourth', 6],
    ])
    expect(wrapped.tools[1]!.tool.description.endsWith('x…')).toBe(true)
    expect(wrapped.refused.map(({ name, error }) => [name, error.code])).toEqual([
      ['\u65e5\u672c', 'MCP_TOOL_NAME_INVALID'],
    ])
  })
})

/** A loopback port nobody listens on. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
