import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HTTPAdapter } from '@x402/core/server'

/** x402's view of a Node request (headers, method, the resource's URL). */
export function adapterOf(request: IncomingMessage, url: string, path: string): HTTPAdapter {
  const header = (name: string) => {
    const value = request.headers[name.toLowerCase()]
    return Array.isArray(value) ? value[0] : value
  }
  return {
    getHeader: header,
    getMethod: () => request.method ?? 'GET',
    getPath: () => path,
    getUrl: () => url,
    getAcceptHeader: () => header('accept') ?? '',
    getUserAgent: () => header('user-agent') ?? '',
  }
}

/**
 * The body as UTF-8 text, or `undefined` once it passes `max` bytes. The rest is read and
 * dropped, so the refusal that follows reaches the client instead of a reset.
 */
export function readBody(request: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= max) chunks.push(chunk)
      else chunks.length = 0
    })
    request.on('end', () =>
      resolve(size > max ? undefined : Buffer.concat(chunks).toString('utf8')),
    )
    request.on('error', reject)
  })
}

/** Writes one answer: JSON unless the body is already text. */
export function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: unknown,
): void {
  if (response.headersSent) return
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? {})
  response.writeHead(status, {
    'Content-Type': 'application/json',
    ...headers,
    'Content-Length': String(Buffer.byteLength(text)),
  })
  response.end(text)
}
