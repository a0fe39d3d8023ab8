import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A loopback JSON-RPC relay in front of a real node, with a switch that makes it fail: what an
 * agent sees when its RPC provider has an outage. Down, every request is answered 503 without
 * reaching the node; `failed` counts them.
 */
export async function startRpcProxy(target: string) {
  let down = false
  let failed = 0
  let relayed = 0
  const server = createServer(async (request, response) => {
    const body = await read(request)
    if (down) {
      failed++
      response.writeHead(503, { 'content-type': 'text/plain' }).end('RPC outage')
      return
    }
    try {
      const answer = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      relayed++
      response
        .writeHead(answer.status, { 'content-type': 'application/json' })
        .end(await answer.text())
    } catch {
      failed++
      response.writeHead(502).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    down: () => {
      down = true
    },
    up: () => {
      down = false
    },
    failed: () => failed,
    relayed: () => relayed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function read(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}
