// What loopback HTTP alone costs here, with no crypto: clients × servers echoing a request-sized
// JSON body, calls/s and process CPU per call at 1 and 32 callers.
//   node --conditions=source --import tsx scripts/wire.ts
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { createNodeHttpPost } from '../src/client/nodeHttpPost.js'
import type { TransportServer } from '../src/index.js'
import { serveHttp } from '../src/node.js'

const body = JSON.stringify({ envelope: { x: 'y'.repeat(400) }, signature: 'z'.repeat(132) })
const reply = '{"result":{"words":4,"characters":26,"longest":"hands"}}'

type Listening = { url: string; close(): void }

function listening(server: http.Server): Promise<Listening> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/word-stats`,
        close: () => {
          server.closeAllConnections()
          server.close()
        },
      }),
    ),
  )
}

const servers: Record<string, () => Promise<Listening>> = {
  'bare node:http': () =>
    listening(
      http.createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c) => chunks.push(c))
        req.on('end', () => {
          Buffer.concat(chunks).toString()
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(reply),
          })
          res.end(reply)
        })
      }),
    ),
  'serveHttp (stub server)': async () => {
    const stub = {
      address: '0x0000000000000000000000000000000000000001',
      chainId: 1,
      maxBodyBytes: 1 << 20,
      replayCapacity: 1,
      handle: () => stub,
      receive: async () => ({ status: 200, body: reply }),
    } as TransportServer
    const listener = await serveHttp(stub)
    return { url: `${listener.url}/word-stats`, close: () => listener.close() }
  },
  'Hono on @hono/node-server': () => {
    const app = new Hono()
    app.post('/:route{.+}', async (c) => {
      await c.req.text()
      return new Response(reply, { headers: { 'content-type': 'application/json' } })
    })
    return new Promise((resolve) => {
      const server = serve(
        { fetch: app.fetch, hostname: '127.0.0.1', port: 0, overrideGlobalObjects: false },
        () =>
          resolve({
            url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/word-stats`,
            close: () => {
              ;(server as http.Server).closeAllConnections()
              server.close()
            },
          }),
      )
    })
  },
}

const post = createNodeHttpPost({ maxConnections: 256, idleMs: 30_000 })!
const clients: Record<string, (url: string) => Promise<unknown>> = {
  'transport node:http': (url) => post(url, body, new AbortController().signal),
  fetch: async (url) =>
    (
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
    ).text(),
}

async function measure(call: () => Promise<unknown>, callers: number, ms: number) {
  let count = 0
  const cpu = process.cpuUsage()
  const start = performance.now()
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() - start < ms) {
        await call()
        count++
      }
    }),
  )
  const used = process.cpuUsage(cpu)
  const rate = Math.round(count / ((performance.now() - start) / 1000))
  return `${rate}/s ${Math.round((used.user + used.system) / count)} µs`
}

for (const [serverName, start] of Object.entries(servers)) {
  const server = await start()
  for (const [clientName, client] of Object.entries(clients)) {
    const call = () => client(server.url)
    await measure(call, 32, 300)
    console.log(
      `${clientName} → ${serverName}: 1 caller ${await measure(call, 1, 1000)}, 32 callers ${await measure(call, 32, 1000)}`,
    )
  }
  server.close()
}
