import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WireError } from '@gotong/core'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { z } from 'zod'
import {
  ConnectionResetError,
  createHttpClient,
  createTransportServer,
  type SignedRequest,
  signRequest,
  type TransportServer,
} from '../src/index.js'
import { type HttpListener, serveHttp } from '../src/node.js'

const provider = privateKeyToAccount(
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
)
const consumer = privateKeyToAccount(
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
)
const chainId = 31337

describe('HTTP specifics', () => {
  let listener: HttpListener
  const server = createTransportServer({ address: provider.address, chainId }).handle(
    'blob',
    z.object({ data: z.string() }),
    ({ data }) => ({ length: data.length }),
  )
  const client = () =>
    createHttpClient({ signer: consumer, chainId, peers: { [provider.address]: listener.url } })

  beforeAll(async () => {
    listener = await serveHttp(server)
  })
  afterAll(() => listener.close())

  test('listens on loopback and answers JSON POSTs at /<route>', async () => {
    expect(listener.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const request = await signRequest(consumer, {
      chainId,
      to: provider.address,
      route: 'blob',
      body: { data: 'abc' },
      expiresAt: Date.now() + 10_000,
    })
    const response = await fetch(`${listener.url}/blob`, {
      method: 'POST',
      body: JSON.stringify(request),
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.text()).toBe('{"result":{"length":3}}')
    const replayed = await fetch(`${listener.url}/blob`, {
      method: 'POST',
      body: JSON.stringify(request),
    })
    expect(replayed.status).toBe(409)
    expect(await replayed.text()).toBe(
      `{"error":{"code":409,"reason":"replayed","message":"This envelope was already received","data":{"nonce":"${request.envelope.nonce}"}}}`,
    )
  })

  test('anything but a POST to a route is a JSON not_found', async () => {
    const response = await fetch(`${listener.url}/blob`)
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({
      error: { code: 404, reason: 'not_found', message: 'No route for GET /blob' },
    })
  })

  test('a large body is refused with 413 before it is read, with or without a length', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024)
    const error = await client()
      .request(provider.address, 'blob', { data: big })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WireError)
    expect(error).toMatchObject({ reason: 'payload_too_large', wireCode: 413 })
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode(big.slice(0, 1e5)))
        controller.close()
      },
    })
    const response = await fetch(`${listener.url}/blob`, {
      method: 'POST',
      body: chunks,
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: { reason: 'payload_too_large' } })
  })

  test('a peer that answers without a gotong reply is unavailable, with its status', async () => {
    const other = createServer((_, res) => {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>')
    })
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
    const { port } = other.address() as AddressInfo
    try {
      const error = await createHttpClient({
        signer: consumer,
        chainId,
        peers: { [provider.address]: `http://127.0.0.1:${port}` },
      })
        .request(provider.address, 'blob', { data: '' })
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ reason: 'unavailable', wireCode: 503, data: { status: 502 } })
    } finally {
      other.close()
    }
  })

  test('close() returns while a client holds a keep-alive connection', async () => {
    const second = await serveHttp(server)
    await createHttpClient({
      signer: consumer,
      chainId,
      peers: { [provider.address]: second.url },
    }).request(provider.address, 'blob', { data: 'x' })
    await second.close()
    const error = await fetch(`${second.url}/blob`, { method: 'POST', body: '{}' }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(TypeError)
  })
})

/**
 * A real HTTP server in front of a transport server, whose behaviour per request is chosen by
 * the test: answer it, or run it and then destroy the socket without a reply, or destroy the
 * socket without reading it. Records every request it saw and every connection opened.
 */
async function frontOf(
  server: TransportServer,
  behave: (seen: number) => 'answer' | 'run, then reset' | 'reset',
) {
  const seen: SignedRequest[] = []
  let connections = 0
  const http = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString()
    seen.push(JSON.parse(text) as SignedRequest)
    const behaviour = behave(seen.length)
    if (behaviour === 'reset') {
      request.socket.destroy()
      return
    }
    const reply = await server.receive(text, { route: request.url!.slice(1) })
    if (behaviour === 'run, then reset') {
      request.socket.destroy()
      return
    }
    response.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body)
  })
  http.on('connection', () => connections++)
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    seen,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve())
        http.closeAllConnections()
      }),
  }
}

describe.each([
  ['node:http', undefined],
  ['fetch', globalThis.fetch],
] as const)('connection resets (client on %s)', (_, fetch) => {
  let runs: number
  const server = createTransportServer({ address: provider.address, chainId }).handle(
    'count',
    z.object({ n: z.number() }),
    ({ n }) => ({ n, run: ++runs }),
  )
  const client = (url: string) =>
    createHttpClient({
      signer: consumer,
      chainId,
      peers: { [provider.address]: url },
      ...(fetch ? { fetch } : {}),
    })

  beforeEach(() => {
    runs = 0
  })

  test('a reset before any reply is resent once, freshly signed with the same idempotency key; the first result comes back', async () => {
    const front = await frontOf(server, (n) => (n === 1 ? 'run, then reset' : 'answer'))
    try {
      const result = await client(front.url).request(
        provider.address,
        'count',
        { n: 7 },
        { idempotencyKey: 'order-1' },
      )
      expect(result).toEqual({ n: 7, run: 1 })
      expect(runs).toBe(1)
      const [first, second] = front.seen
      expect(front.seen).toHaveLength(2)
      expect(second!.envelope.nonce).not.toBe(first!.envelope.nonce)
      expect(second!.envelope.idempotencyKey).toBe('order-1')
      expect(first!.envelope.idempotencyKey).toBe('order-1')
      expect(second!.signature).not.toBe(first!.signature)
    } finally {
      await front.close()
    }
  })

  test('only once: a second reset is unavailable, with the reset as its cause', async () => {
    const front = await frontOf(server, () => 'reset')
    try {
      const error = await client(front.url)
        .request(provider.address, 'count', { n: 1 }, { idempotencyKey: 'order-2' })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(WireError)
      expect(error).toMatchObject({ reason: 'unavailable', wireCode: 503 })
      expect((error as WireError).walk((e) => e instanceof ConnectionResetError)).toBeTruthy()
      expect(front.seen).toHaveLength(2)
      expect(runs).toBe(0)
    } finally {
      await front.close()
    }
  })

  test('without an idempotency key, a reset on a new connection is not resent (the handler may have run)', async () => {
    const front = await frontOf(server, () => 'run, then reset')
    try {
      const error = await client(front.url)
        .request(provider.address, 'count', { n: 1 })
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ reason: 'unavailable' })
      expect(front.seen).toHaveLength(1)
      expect(runs).toBe(1)
    } finally {
      await front.close()
    }
  })
})

describe('keep-alive connections (client on node:http)', () => {
  const server = createTransportServer({ address: provider.address, chainId }).handle(
    'count',
    z.object({ n: z.number() }),
    ({ n }) => ({ n }),
  )

  test('sequential requests share one connection; 32 concurrent callers use at most 32', async () => {
    const front = await frontOf(server, () => 'answer')
    try {
      const client = createHttpClient({
        signer: consumer,
        chainId,
        peers: { [provider.address]: front.url },
      })
      for (let n = 0; n < 20; n++) await client.request(provider.address, 'count', { n })
      expect(front.connections()).toBe(1)
      await Promise.all(
        Array.from({ length: 32 }, async (_, caller) => {
          for (let n = 0; n < 5; n++) await client.request(provider.address, 'count', { n: caller })
        }),
      )
      expect(front.connections()).toBeLessThanOrEqual(32)
      expect(front.seen).toHaveLength(20 + 32 * 5)
    } finally {
      await front.close()
    }
  })

  test('without a key, a reset of a reused keep-alive connection is resent once', async () => {
    const front = await frontOf(server, (n) => (n === 2 ? 'reset' : 'answer'))
    try {
      const client = createHttpClient({
        signer: consumer,
        chainId,
        peers: { [provider.address]: front.url },
      })
      expect(await client.request(provider.address, 'count', { n: 1 })).toEqual({ n: 1 })
      expect(await client.request(provider.address, 'count', { n: 2 })).toEqual({ n: 2 })
      expect(front.seen).toHaveLength(3)
      expect(front.seen[2]!.envelope.nonce).not.toBe(front.seen[1]!.envelope.nonce)
      expect(front.connections()).toBe(2)
    } finally {
      await front.close()
    }
  })
})

describe('plain HTTP beside the signed routes', () => {
  test('requests the plain handler answers never reach the envelope routes; the rest still do', async () => {
    const server = createTransportServer({ address: provider.address, chainId }).handle(
      'blob',
      z.object({ data: z.string() }),
      ({ data }) => ({ length: data.length }),
    )
    const seen: string[] = []
    const listener = await serveHttp(server, {
      plain: (request, response) => {
        seen.push(`${request.method} ${request.url}`)
        if (request.url !== '/.well-known/card.json') return false
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"gotong"}')
        return true
      },
    })
    try {
      const card = await fetch(`${listener.url}/.well-known/card.json`)
      expect([card.status, await card.text()]).toEqual([200, '{"name":"gotong"}'])
      const signed = createHttpClient({
        signer: consumer,
        chainId,
        peers: { [provider.address]: listener.url },
      })
      expect(await signed.request(provider.address, 'blob', { data: 'abcd' })).toEqual({
        length: 4,
      })
      const missing = await fetch(`${listener.url}/nothing`)
      expect(missing.status).toBe(404)
      expect(seen).toEqual(['GET /.well-known/card.json', 'POST /blob', 'GET /nothing'])
    } finally {
      await listener.close()
    }
  })
})
