import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A loopback JSON-RPC relay in front of a real node, with a switch that makes it fail: what an
 * agent sees when its RPC provider has an outage. Down, every request is answered 503 without
 * reaching the node; `failed` counts them. With `maxLogRange`, it refuses `eth_getLogs` over
 * more blocks, as public RPC providers do.
 */
export async function startRpcProxy(target: string, options: { maxLogRange?: number } = {}) {
  let down = false
  let failed = 0
  let relayed = 0
  let refusedRanges = 0
  const server = createServer(async (request, response) => {
    const body = await read(request)
    if (down) {
      failed++
      response.writeHead(503, { 'content-type': 'text/plain' }).end('RPC outage')
      return
    }
    const refusal =
      options.maxLogRange === undefined ? undefined : tooWide(body, options.maxLogRange)
    if (refusal) {
      refusedRanges++
      response.writeHead(200, { 'content-type': 'application/json' }).end(refusal)
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
    refusedRanges: () => refusedRanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A JSON-RPC error answer if `body` is an eth_getLogs over more than `max` blocks. */
function tooWide(body: string, max: number): string | undefined {
  let call: { id?: unknown; method?: string; params?: [{ fromBlock?: string; toBlock?: string }] }
  try {
    call = JSON.parse(body)
  } catch {
    return undefined
  }
  if (call.method !== 'eth_getLogs') return undefined
  const filter = call.params?.[0]
  if (!filter?.fromBlock?.startsWith('0x') || !filter.toBlock?.startsWith('0x')) return undefined
  const span = BigInt(filter.toBlock) - BigInt(filter.fromBlock) + 1n
  if (span <= BigInt(max)) return undefined
  return JSON.stringify({
    jsonrpc: '2.0',
    id: call.id,
    error: { code: -32005, message: `query exceeds max block range ${max}` },
  })
}

function read(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}
