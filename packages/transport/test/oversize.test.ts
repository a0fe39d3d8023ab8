import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Outcome, serveInChild, uploadWithFetch, uploadWithNodeHttp } from './uploads.js'

const MiB = 1024 * 1024
const refused = {
  status: 413,
  body: `{"error":{"code":413,"reason":"payload_too_large","message":"Requests are limited to ${MiB} bytes","data":{"maxBodyBytes":${MiB}}}}`,
}

/** How many times each outcome came back, e.g. `{ '413': 20 }` or `{ '413': 14, EPIPE: 6 }`. */
function tally(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const outcome of outcomes) {
    const key =
      'error' in outcome
        ? outcome.error
        : outcome.status === refused.status && outcome.body === refused.body
          ? '413'
          : `${outcome.status} ${outcome.body.slice(0, 80)}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

// The server runs in its own process, as a provider does: in the client's process, event-loop
// order happens to let the client read the 413 before the reset arrives.
describe('an oversized body is answered 413, and the client sees it', () => {
  let server: Awaited<ReturnType<typeof serveInChild>>
  beforeAll(async () => {
    server = await serveInChild()
  })
  afterAll(() => server?.close())

  test.each([
    ['fetch, streamed', (url: string) => uploadWithFetch(url, 2 * MiB, { declared: false })],
    ['fetch, with its length', (url: string) => uploadWithFetch(url, 2 * MiB, { declared: true })],
    ['node:http, streamed', (url: string) => uploadWithNodeHttp(url, 2 * MiB, { declared: false })],
    [
      'node:http, with its length',
      (url: string) => uploadWithNodeHttp(url, 2 * MiB, { declared: true }),
    ],
  ])('2 MiB, %s: 20 tries of 20 see the 413 and its error body', async (_, upload) => {
    const outcomes: Outcome[] = []
    for (let i = 0; i < 20; i++) outcomes.push(await upload(`${server.url}/blob`))
    expect(tally(outcomes)).toEqual({ '413': 20 })
  })

  test('64 MiB streamed, with fetch and node:http: the 413 both times', async () => {
    const url = `${server.url}/blob`
    expect([
      await uploadWithFetch(url, 64 * MiB, { declared: false }),
      await uploadWithNodeHttp(url, 64 * MiB, { declared: false }),
    ]).toEqual([refused, { ...refused, continued: false }])
  })

  test('with Expect: 100-continue, a body declared too large is refused before it is sent', async () => {
    const outcome = await uploadWithNodeHttp(`${server.url}/blob`, 2 * MiB, {
      declared: true,
      expectContinue: true,
    })
    expect(outcome).toEqual({ ...refused, continued: false })
    const small = await uploadWithNodeHttp(`${server.url}/blob`, 1024, {
      declared: true,
      expectContinue: true,
    })
    expect(small).toMatchObject({ status: 400, continued: true })
  })

  test('the server keeps none of the body: 48 MiB into an upload that goes on, it holds a few MiB at most', async () => {
    const before = await server.buffers()
    // A raw client that keeps sending after the server's answer and half-close (node:http and
    // fetch stop once the server closes its side).
    const { port } = new URL(server.url)
    const socket = connect({ host: '127.0.0.1', port: Number(port), allowHalfOpen: true })
    let received = ''
    socket.setEncoding('utf8')
    socket.on('data', (text: string) => {
      received += text
    })
    socket.on('error', () => {})
    socket.write(`POST /blob HTTP/1.1\r\nHost: x\r\nContent-Length: ${64 * MiB}\r\n\r\n`)
    const chunk = Buffer.alloc(MiB, 0x78)
    const closed = new Promise((resolve) => socket.once('close', resolve))
    let sent = 0
    while (sent < 48 && !socket.destroyed) {
      sent++
      if (!socket.write(chunk))
        await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed])
    }
    const held = (await server.buffers()) - before
    const open = !socket.destroyed
    socket.destroy()
    expect({ open, sent }).toEqual({ open: true, sent: 48 })
    expect(received.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large')
    expect(received.endsWith(`\r\n\r\n${refused.body}`)).toBe(true)
    expect(held).toBeLessThan(8 * MiB)
  })
})
