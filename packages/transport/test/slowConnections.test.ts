import http from 'node:http'
import { connect } from 'node:net'
import { InvalidInputError, WireError } from '@gotong/core'
import { privateKeyToAccount } from 'viem/accounts'
import { afterEach, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { createHttpClient, createTransportServer, signRequest } from '../src/index.js'
import { type HttpListener, type ServeHttpParameters, serveHttp } from '../src/node.js'

const provider = privateKeyToAccount(
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
)
const consumer = privateKeyToAccount(
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
)
const chainId = 31337
const server = createTransportServer({ address: provider.address, chainId }).handle(
  'count',
  z.object({ n: z.number() }),
  ({ n }) => ({ n }),
)

let listener: HttpListener | undefined
afterEach(async () => {
  await listener?.close()
  listener = undefined
})
async function serve(parameters: ServeHttpParameters) {
  listener = await serveHttp(server, parameters)
  return listener
}

/**
 * A raw connection that sends `head`, then one byte of `trickle` every 20 ms for as long as it
 * is open (`trickle` empty: nothing more). `closed` resolves with what it received once the
 * server has closed it; the test itself never closes it before.
 */
function slowSocket(url: string, head: string, trickle: string, localAddress = '127.0.0.1') {
  const { port } = new URL(url)
  const socket = connect({ host: '127.0.0.1', port: Number(port), localAddress })
  let received = ''
  socket.setEncoding('utf8')
  socket.on('data', (text: string) => {
    received += text
  })
  socket.on('error', () => {})
  let timer: NodeJS.Timeout | undefined
  const connected = new Promise<void>((resolve) =>
    socket.once('connect', () => {
      socket.write(head)
      if (trickle) timer = setInterval(() => socket.write(trickle), 20)
      resolve()
    }),
  )
  const closed = new Promise<string>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer)
      resolve(received)
    }),
  )
  return { socket, connected, closed }
}

/** Waits for all of `promises`, or `ms` at most; the outcomes, `undefined` where none came. */
async function settledWithin<T>(promises: Promise<T>[], ms: number): Promise<(T | undefined)[]> {
  const outcomes: (T | undefined)[] = promises.map(() => undefined)
  const all = Promise.all(promises.map((p, i) => p.then((value) => (outcomes[i] = value))))
  let timer: NodeJS.Timeout | undefined
  await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
  return outcomes
}

/** A signed request for `count`, sent over node:http from `localAddress`: its status and body. */
async function signedFrom(url: string, localAddress: string, n: number) {
  const request = await signRequest(consumer, {
    chainId,
    to: provider.address,
    route: 'count',
    body: { n },
    expiresAt: Date.now() + 10_000,
  })
  return new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
    const sent = http.request(`${url}/count`, { method: 'POST', agent: false, localAddress })
    sent.on('response', (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (text: string) => {
        body += text
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
    })
    sent.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? 'error' }))
    sent.end(JSON.stringify(request))
  })
}

const statusLine = (received: string | undefined) =>
  received === undefined ? 'still open' : received.split('\r\n')[0] || 'closed, nothing received'

describe('slow and idle connections are closed; everyone else is still served', () => {
  test('200 connections trickling headers or a body: signed calls go through meanwhile; the server closes every slow one (with a 408)', async () => {
    const { url } = await serve({ headersTimeoutMs: 500, requestTimeoutMs: 1_000 })
    const slow = [
      ...Array.from({ length: 100 }, () =>
        slowSocket(url, 'POST /count HTTP/1.1\r\nHost: x\r\nX-Slow: ', 'a'),
      ),
      ...Array.from({ length: 100 }, () =>
        slowSocket(url, 'POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n', 'a'),
      ),
    ]
    await Promise.all(slow.map((s) => s.connected))
    const clients = [
      createHttpClient({ signer: consumer, chainId, peers: { [provider.address]: url } }),
      createHttpClient({ signer: consumer, chainId, peers: { [provider.address]: url }, fetch }),
    ]
    const results = await Promise.all(
      clients.flatMap((client) =>
        Array.from({ length: 20 }, (_, n) => client.request(provider.address, 'count', { n })),
      ),
    )
    expect(results).toEqual(
      [...Array(2)].flatMap(() => Array.from({ length: 20 }, (_, n) => ({ n }))),
    )
    const received = await settledWithin(
      slow.map((s) => s.closed),
      10_000,
    )
    // Node answers 408 and closes at once; a byte of the trickle still unread then makes that
    // close a reset, which can overtake the 408 (a slow sender is not waited for).
    const lines = new Set(received.map(statusLine))
    lines.delete('closed, nothing received')
    expect([...lines]).toEqual(['HTTP/1.1 408 Request Timeout'])
  })

  test('a connection that sends nothing is closed at the headers timeout; an idle keep-alive one at its own', async () => {
    const { url } = await serve({
      headersTimeoutMs: 300,
      requestTimeoutMs: 300,
      keepAliveTimeoutMs: 300,
    })
    const silent = slowSocket(url, '', '')
    const idle = slowSocket(url, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', '')
    const [nothing, answered] = await settledWithin([silent.closed, idle.closed], 10_000)
    expect(statusLine(nothing)).toBe('HTTP/1.1 408 Request Timeout')
    expect(statusLine(answered)).toBe('HTTP/1.1 404 Not Found')
    expect(answered).toContain('Connection: keep-alive')
  })
})

describe('connection caps', () => {
  test('past maxConnectionsPerPeer a peer’s new connections are closed unanswered; another peer is served; closing frees its room', async () => {
    const { url } = await serve({ maxConnectionsPerPeer: 5 })
    const held = Array.from({ length: 5 }, () => slowSocket(url, '', ''))
    await Promise.all(held.map((s) => s.connected))
    const client = createHttpClient({
      signer: consumer,
      chainId,
      peers: { [provider.address]: url },
    })
    const refused = await client
      .request(provider.address, 'count', { n: 1 })
      .catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(WireError)
    expect(refused).toMatchObject({ reason: 'unavailable' })
    expect(
      statusLine(
        (await settledWithin([slowSocket(url, 'GET / HTTP/1.1\r\n\r\n', '').closed], 5_000))[0],
      ),
    ).toBe('closed, nothing received')
    expect(await signedFrom(url, '127.0.0.2', 2)).toEqual({
      status: 200,
      body: '{"result":{"n":2}}',
    })

    for (const s of held) s.socket.destroy()
    await Promise.all(held.map((s) => s.closed))
    // The server learns of the closes a moment later: the peer is served again once it has.
    let outcome: unknown
    for (let attempt = 0; attempt < 50; attempt++) {
      outcome = await client.request(provider.address, 'count', { n: 3 }).catch((e: unknown) => e)
      if (!(outcome instanceof WireError)) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(outcome).toEqual({ n: 3 })
  })

  test('past maxConnections, anyone’s new connection is closed unanswered', async () => {
    const { url } = await serve({ maxConnections: 4 })
    const held = Array.from({ length: 4 }, () => slowSocket(url, '', ''))
    await Promise.all(held.map((s) => s.connected))
    expect(await signedFrom(url, '127.0.0.2', 1)).toMatchObject({ error: 'ECONNRESET' })
    held[0]!.socket.destroy()
    await held[0]!.closed
    let outcome: unknown
    for (let attempt = 0; attempt < 50; attempt++) {
      outcome = await signedFrom(url, '127.0.0.2', 2)
      if (!('error' in (outcome as object))) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(outcome).toEqual({ status: 200, body: '{"result":{"n":2}}' })
  })

  test('limits are checked: a headers timeout longer than the request timeout is invalid input', async () => {
    const error = await serveHttp(server, {
      headersTimeoutMs: 2_000,
      requestTimeoutMs: 1_000,
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidInputError)
    expect(error).toMatchObject({ code: 'INVALID_INPUT' })
  })
})
