import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AgentCard } from '@a2a-js/sdk'
import { type Client, ClientFactory } from '@a2a-js/sdk/client'
import {
  DefaultRequestHandler,
  InMemoryTaskStore,
  ServerCallContext,
  type TaskStore,
} from '@a2a-js/sdk/server'
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express'
import { WireError } from '@gotong/core'
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  A2aError,
  type A2aServer,
  buildAgentCard,
  connectA2a,
  createA2aServer,
  createTaskStore,
  createToolExecutor,
  gotongMetadata,
  type PaidToolCall,
  readGotongPayments,
  readToolTask,
  toolCallMessage,
} from '../src/index.js'
import { a2aHttpHandler, agentCardHttpHandler } from '../src/node.js'

const registry = '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0' as Address
const paymentChannels = '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9' as Address
const token = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address
const payee = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as Address
const termsHash = `0x${'ab'.repeat(32)}` as const

/** What the tool's `serve` is asked, and what it answers or refuses with. */
const served: PaidToolCall[] = []
async function serve(call: PaidToolCall) {
  served.push(call)
  if ((call.input as { text?: string }).text === 'again')
    throw new WireError('replayed', 'Call 1 on this channel is already committed.', {
      data: { code: 'VOUCHER_REPLAYED', highest: { calls: 1n, cumulativeAmount: 500n } },
    })
  return {
    output: { upper: String((call.input as { text: string }).text).toUpperCase() },
    receipt: { calls: 1n },
  }
}

function cardAt(base: string, path: string): AgentCard {
  return buildAgentCard({
    name: 'echo-agent',
    url: `${base}${path}`,
    address: payee,
    chainId: 31337,
    registry,
    paymentChannels,
    token,
    tools: [
      {
        toolId: '1',
        ref: `eip155:31337/erc8257:${registry.toLowerCase()}/1`,
        name: 'upper',
        description: 'Says a text in capitals.',
        tags: ['text'],
        price: 500n,
        negotiate: `${base}/tools/upper/negotiate`,
        fund: `${base}/tools/upper/fund`,
        gated: false,
      },
    ],
  })
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

let http: Server
let base: string
let a2a: A2aServer
let client: Client

beforeAll(async () => {
  http = createServer()
  base = await listen(http)
  a2a = createA2aServer({ card: cardAt(base, '/a2a'), serve })
  const routes = new Map([
    ['/a2a', a2aHttpHandler(a2a)],
    ['/.well-known/agent-card.json', agentCardHttpHandler(() => a2a.card())],
  ])
  http.on('request', (request, response) => {
    const route = routes.get(request.url ?? '')
    if (route) route(request, response)
    else response.writeHead(404).end()
  })
  client = await new ClientFactory().createFromUrl(base)
})
afterAll(() => {
  http?.close()
})

const send = (call: Parameters<typeof toolCallMessage>[0], taskId?: string) =>
  client.sendMessage(toolCallMessage(call, taskId ? { taskId } : {}))

const rpc = (body: unknown, headers: Record<string, string> = { 'a2a-version': '1.0' }) =>
  fetch(`${base}/a2a`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

describe('createA2aServer under node:http, with @a2a-js/sdk as the client', () => {
  test('the card: its skill and the gotong terms the SDK client reads', async () => {
    const card = await client.getAgentCard()
    expect(card.skills.map((s) => s.id)).toEqual(['1'])
    expect(readGotongPayments(card)).toMatchObject({
      registry: `eip155:31337:${registry.toLowerCase()}`,
      payee: `eip155:31337:${payee.toLowerCase()}`,
      tools: [{ toolId: '1', price: 500n }],
    })
  })

  test('the card has an ETag, revalidates to 304, and takes no POST', async () => {
    const first = await fetch(`${base}/.well-known/agent-card.json`)
    const etag = first.headers.get('etag')!
    expect(first.headers.get('cache-control')).toBe('public, max-age=60')
    const again = await fetch(`${base}/.well-known/agent-card.json`, {
      headers: { 'if-none-match': etag },
    })
    expect(again.status).toBe(304)
    const post = await fetch(`${base}/.well-known/agent-card.json`, { method: 'POST' })
    expect(post.status).toBe(405)
  })

  test('unpaid: input-required with the terms; the paid follow-up on that task completes', async () => {
    const before = served.length
    const asked = readToolTask(await send({ toolId: '1', input: { text: 'hi' } }))
    expect(asked).toMatchObject({
      state: 'input-required',
      terms: {
        toolId: '1',
        name: 'upper',
        price: 500n,
        token: `eip155:31337/erc20:${token.toLowerCase()}`,
      },
    })
    expect(served).toHaveLength(before)
    const payment = { voucher: { calls: 1n, cumulativeAmount: 500n } }
    const paid = readToolTask(
      await send({ toolId: '1', input: { text: 'hi' }, termsHash, payment }, asked.taskId),
    )
    expect(paid).toEqual({
      state: 'completed',
      taskId: asked.taskId,
      output: { upper: 'HI' },
      receipt: { calls: '1' },
    })
    // The payment reaches `serve` in its JSON form, as a gotong `call` body carries it.
    expect(served.at(-1)).toEqual({
      toolId: '1',
      input: { text: 'hi' },
      termsHash,
      payment: { voucher: { calls: '1', cumulativeAmount: '500' } },
    })
    const task = await client.getTask({ tenant: '', id: asked.taskId })
    expect(task.status?.message?.metadata).toMatchObject({
      [gotongMetadata.status]: 'payment-completed',
      [gotongMetadata.receipt]: { calls: '1' },
    })
  })

  test('a refusal fails the task with the gotong code; a message that is no call, or for another tool, never reaches serve', async () => {
    const refused = readToolTask(
      await send({ toolId: '1', input: { text: 'again' }, termsHash, payment: {} }),
    )
    expect(refused.state).toBe('failed')
    if (refused.state === 'failed')
      expect(refused.error.toPayload()).toEqual({
        code: 409,
        reason: 'replayed',
        message: 'Call 1 on this channel is already committed.',
        data: { code: 'VOUCHER_REPLAYED', highest: { calls: '1', cumulativeAmount: '500' } },
      })
    const before = served.length
    const unknown = readToolTask(await send({ toolId: '7', input: {}, termsHash, payment: {} }))
    expect(unknown.state === 'failed' && unknown.error.data?.code).toBe('TOOL_NOT_FOUND')
    const text = await client.sendMessage({
      ...toolCallMessage({ toolId: '1', input: {} }),
      message: {
        ...toolCallMessage({ toolId: '1', input: {} }).message!,
        parts: [
          {
            content: { $case: 'text', value: 'hello' },
            metadata: undefined,
            filename: '',
            mediaType: 'text/plain',
          },
        ],
      },
    })
    const malformed = readToolTask(text)
    expect(malformed.state === 'failed' && malformed.error.data?.code).toBe('A2A_CALL_MALFORMED')
    const noTerms = readToolTask(await send({ toolId: '1', input: {}, payment: {} }))
    expect(noTerms.state === 'failed' && noTerms.error.reason).toBe('invalid_input')
    expect(served).toHaveLength(before)
  })

  test('tasks are read by id only: ListTasks lists none', async () => {
    const listed = await client.listTasks({
      tenant: '',
      contextId: '',
      status: 0,
      pageToken: '',
      statusTimestampAfter: undefined,
      includeArtifacts: true,
    })
    expect(listed.tasks).toEqual([])
  })

  test('on the wire: JSON-RPC errors for a missing version, streaming, bad JSON; 413 and 405 before the SDK', async () => {
    const message = {
      messageId: 'm',
      role: 'ROLE_USER',
      parts: [{ data: { toolId: '1', input: {} } }],
    }
    const noVersion = await (
      await rpc({ jsonrpc: '2.0', id: 1, method: 'SendMessage', params: { message } }, {})
    ).json()
    expect(noVersion).toMatchObject({ id: 1, error: { code: -32009 } })
    const stream = await (
      await rpc({ jsonrpc: '2.0', id: 2, method: 'SendStreamingMessage', params: { message } })
    ).json()
    expect(stream).toMatchObject({
      id: 2,
      error: { code: -32004, message: 'Streaming is not supported.' },
    })
    expect(await (await rpc('{not json')).json()).toMatchObject({
      id: null,
      error: { code: -32602 },
    })
    expect((await rpc('x'.repeat(1024 * 1024 + 1))).status).toBe(413)
    expect((await fetch(`${base}/a2a`)).status).toBe(405)
  })
})

describe('gotong pieces on their own', () => {
  test('createTaskStore keeps the newest tasks only', async () => {
    const store: TaskStore = createTaskStore({ limit: 2 })
    const context = new ServerCallContext()
    const task = (id: string) => ({
      id,
      contextId: 'c',
      status: undefined,
      artifacts: [],
      history: [],
      metadata: undefined,
    })
    for (const id of ['a', 'b', 'c']) await store.save(task(id), context)
    await store.save(task('b'), context)
    await store.save(task('d'), context)
    expect(await store.load('a', context)).toBeUndefined()
    expect(await store.load('c', context)).toBeUndefined()
    expect((await store.load('b', context))?.id).toBe('b')
    expect((await store.load('d', context))?.id).toBe('d')
  })

  test('a card without the gotong extension is refused with A2A_EXTENSION_MISSING', () => {
    const card = cardAt(base, '/a2a')
    const bare = { ...card, capabilities: { ...card.capabilities!, extensions: [] } }
    expect(() => readGotongPayments(bare)).toThrow(A2aError)
    expect(() => readGotongPayments(bare)).toThrow(/does not declare the gotong payments extension/)
  })

  test("connectA2a (gotong's client) against @a2a-js/sdk's own Express server", async () => {
    const expressModule = 'express'
    const { default: express } = (await import(expressModule)) as {
      default: () => { use(path: string, handler: unknown): void } & Parameters<
        typeof createServer
      >[1]
    }
    const app = express()
    const server = createServer(app)
    const origin = await listen(server)
    try {
      const card = cardAt(origin, '/rpc')
      const { tools, version: _, ...on } = readGotongPayments(card)
      const termsOf = (id: string) => {
        const tool = tools.find((t) => t.toolId === id)
        return tool && { ...tool, ...on }
      }
      const executor = createToolExecutor({ termsOf, serve })
      const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor)
      app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: handler }))
      app.use(
        '/rpc',
        jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }),
      )
      const agent = await connectA2a(origin)
      expect(agent.payments.tools.map((t) => t.name)).toEqual(['upper'])
      const asked = await agent.callTool({ toolId: '1', input: { text: 'sdk' } })
      expect(asked.state).toBe('input-required')
      const paid = await agent.callTool(
        { toolId: '1', input: { text: 'sdk' }, termsHash, payment: {} },
        { taskId: asked.taskId },
      )
      expect(paid).toMatchObject({ state: 'completed', output: { upper: 'SDK' } })
    } finally {
      server.close()
    }
  })
})
