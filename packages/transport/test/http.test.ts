import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WireError } from '@gotong/core'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { createHttpClient, createTransportServer, signRequest } from '../src/index.js'
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
