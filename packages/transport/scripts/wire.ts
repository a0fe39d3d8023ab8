// What loopback HTTP alone costs here: client kinds × server kinds, echoing a small JSON body.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const body = JSON.stringify({ envelope: { x: 'y'.repeat(400) }, body: { text: 'hi' } })
const reply = '{"result":{"words":4,"characters":26,"longest":"hands"}}'

function rawServer(): Promise<http.Server> {
  const s = http.createServer((req, res) => {
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
  })
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(s)))
}
function honoServer(): Promise<http.Server> {
  const app = new Hono()
  app.post('/:route{.+}', async (c) => {
    await c.req.text()
    return new Response(reply, { status: 200, headers: { 'content-type': 'application/json' } })
  })
  return new Promise((r) => {
    const s = serve({
      fetch: app.fetch,
      hostname: '127.0.0.1',
      port: 0,
      overrideGlobalObjects: false,
    }) as http.Server
    s.once('listening', () => r(s))
  })
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
const clients = {
  fetch: async (url: string) => {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    return r.text()
  },
  http: (url: string) =>
    new Promise<string>((resolve, reject) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c) => chunks.push(c))
          res.on('end', () => resolve(Buffer.concat(chunks).toString()))
          res.on('error', reject)
        },
      )
      req.on('error', reject)
      req.end(body)
    }),
}
async function measure(call: () => Promise<unknown>, callers: number, ms: number) {
  let count = 0
  const end = performance.now() + ms
  const start = performance.now()
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < end) {
        await call()
        count++
      }
    }),
  )
  return Math.round(count / ((performance.now() - start) / 1000))
}
for (const [sname, make] of [
  ['raw', rawServer],
  ['hono', honoServer],
] as const) {
  const s = await make()
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/word-stats`
  for (const [cname, c] of Object.entries(clients)) {
    await measure(() => c(url), 32, 300)
    console.log(
      `${cname} → ${sname}: 1 caller ${await measure(() => c(url), 1, 1000)}/s, 32 callers ${await measure(() => c(url), 32, 1000)}/s`,
    )
  }
  s.closeAllConnections()
  s.close()
}
agent.destroy()
