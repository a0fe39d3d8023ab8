import { request } from 'node:http'
import { type AgentEvent, parseAgentEvent } from '@gotong/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAgentEvents } from '../src/events/createAgentEvents.js'
import { serveEvents } from '../src/events/serveEvents.js'
import { type Agent, defineTool } from '../src/index.js'
import { type Setup, setup, wordStats } from './fixture.js'

let t: Setup
let cheap: Agent
let dear: Agent
let consumer: Agent
let toolId: bigint
const seen: AgentEvent[] = []

beforeAll(async () => {
  t = await setup({ accounts: 5 })
  const tool = defineTool({ ...wordStats, tags: ['word-count'] })
  cheap = await t.agent(1, { events: { token: 'open sesame' } })
  dear = await t.agent(2)
  await dear.serve(tool, { price: 3_000n })
  toolId = (await cheap.serve(tool, { price: 1_000n })).toolId
  consumer = await t.agent(3)
  consumer.events.subscribe((event) => seen.push(event))
  await consumer.negotiate('word-count')
  await consumer.call(toolId, { text: 'many hands make light work' })
})
afterAll(async () => {
  await t?.stop()
})

/** Reads `GET /events` until `count` events came (or the stream ended); each data line parsed. */
function readEvents(
  url: string,
  count: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; events: unknown[]; ids: string[] }> {
  return new Promise((resolve, reject) => {
    const events: unknown[] = []
    const ids: string[] = []
    const req = request(`${url}/events`, { headers }, (response) => {
      let buffer = ''
      const done = () => {
        req.destroy()
        resolve({ status: response.statusCode ?? 0, events, ids })
      }
      if (response.statusCode !== 200) return done()
      response.on('data', (chunk: Buffer) => {
        buffer += chunk.toString()
        let end = buffer.indexOf('\n\n')
        while (end >= 0) {
          for (const line of buffer.slice(0, end).split('\n')) {
            if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)))
            if (line.startsWith('id: ')) ids.push(line.slice(4))
          }
          buffer = buffer.slice(end + 2)
          end = buffer.indexOf('\n\n')
        }
        if (events.length >= count) done()
      })
      response.on('end', done)
    })
    req.on('error', reject)
    req.end()
  })
}

describe("an agent's event stream", () => {
  test('a consumer reports the negotiation with every offer, the channel, the receipt and the paid call', () => {
    const types = seen.map((e) => e.type)
    expect(types).toContain('negotiation.state')
    expect(types).toContain('agreement.signed')
    expect(types).toContain('channel.opened')
    // The receipt is checked, then the call reported paid.
    expect(types.slice(-2)).toEqual(['receipt.verified', 'call.paid'])
    const last = seen.filter((e) => e.type === 'negotiation.state').at(-1)!
    expect(last.state).toBe('active')
    expect(last.offers.map((o) => [o.pricePerCall, o.outcome, o.reason])).toEqual(
      expect.arrayContaining([
        [1_000n, 'won', undefined],
        [3_000n, 'lost', 'outranked: 0.003 gUSD per call against 0.001 gUSD'],
      ]),
    )
    const paid = seen.at(-1)!
    expect(paid).toMatchObject({
      type: 'call.paid',
      toolId,
      provider: cheap.address,
      price: 1_000n,
    })
    expect(paid.type === 'call.paid' && paid.latencyMs! > 0).toBe(true)
    // The stream's own order and clock, under the consumer's address.
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => seen[0]!.seq + i))
    expect(new Set(seen.map((e) => e.agent))).toEqual(new Set([consumer.address]))
  })

  test('a provider reports what it published, countersigned and served', () => {
    const types = cheap.events.recent().map((e) => e.type)
    expect(types).toEqual(['agent.started', 'tool.published', 'agreement.signed', 'call.served'])
    const served = cheap.events.recent().at(-1)!
    expect(served).toMatchObject({ type: 'call.served', tool: 'word-stats', price: 1_000n })
  })

  test('over HTTP: Server-Sent Events that parse with the schemas, resumable by id', async () => {
    const { status, events, ids } = await readEvents(dear.url!, 2)
    expect(status).toBe(200)
    const parsed = events.map((e) => parseAgentEvent(e))
    expect(parsed.map((p) => p.known && p.event.type)).toEqual(['agent.started', 'tool.published'])
    // Resuming after the first event replays only what came after it, then goes on live.
    const resumed = readEvents(dear.url!, 2, { 'last-event-id': ids[0]! })
    dear.events.emit({ type: 'warning', code: 'TEST', message: 'live' })
    expect((await resumed).events.map((e) => (e as { type: string }).type)).toEqual([
      'tool.published',
      'warning',
    ])
  })

  test('a consumer never puts a call’s input or output on the stream', () => {
    const text = JSON.stringify(seen, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
    expect(text).not.toContain('many hands')
    expect(text).not.toContain('light')
  })

  test('with a token, readers must send it; without one, only loopback readers are served', async () => {
    expect((await readEvents(cheap.url!, 1)).status).toBe(401)
    expect((await readEvents(cheap.url!, 1, { authorization: 'Bearer nope' })).status).toBe(401)
    const ok = await readEvents(cheap.url!, 1, { authorization: 'Bearer open sesame' })
    expect(ok.status).toBe(200)
    // Without a token, a reader on another address is refused before anything is written.
    const handler = serveEvents(createAgentEvents({ agent: consumer.address, now: Date.now }))
    let status = 0
    handler(
      { method: 'GET', headers: {}, socket: { remoteAddress: '192.168.1.20' } } as never,
      {
        writeHead(code: number) {
          status = code
          return { end() {} }
        },
      } as never,
    )
    expect(status).toBe(403)
  })

  test('a reader that throws does not stop the agent or other readers', () => {
    const heard: string[] = []
    const stop = consumer.events.subscribe(() => {
      throw new Error('a broken view')
    })
    consumer.events.subscribe((e) => heard.push(e.type))
    consumer.events.emit({ type: 'warning', code: 'TEST', message: 'still here' })
    stop()
    expect(heard).toEqual(['warning'])
  })
})
