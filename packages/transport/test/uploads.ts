import { type ChildProcess, fork } from 'node:child_process'
import http from 'node:http'
import type { ServeHttpParameters } from '../src/node.js'

/** What a client saw: the reply's status and body, or the socket error it got instead. */
export type Outcome = { status: number; body: string } | { error: string }

const chunk = Buffer.alloc(64 * 1024, 0x78)

/** `total` bytes in 64 KiB chunks, made as they are pulled (the client never holds them all). */
function pulled(total: number): ReadableStream<Uint8Array> {
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) controller.close()
      else {
        controller.enqueue(new Uint8Array(chunk))
        sent += chunk.length
      }
    },
  })
}

/** POSTs `total` bytes with the global `fetch`: one buffer (with its length), or streamed. */
export async function uploadWithFetch(
  url: string,
  total: number,
  options: { declared: boolean },
): Promise<Outcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      body: options.declared ? Buffer.alloc(total, 0x78) : pulled(total),
      duplex: 'half',
    } as RequestInit)
    return { status: response.status, body: await response.text() }
  } catch (error) {
    return { error: (error as { cause?: { code?: string } }).cause?.code ?? String(error) }
  }
}

/**
 * POSTs `total` bytes over `node:http` in 64 KiB writes, with a `content-length` or chunked, as
 * fast as the socket takes them. Resolves with the reply once it is read, whatever happens to
 * the upload after (a reset then is no loss); `continued`: the server asked for the body (with
 * `expectContinue`).
 */
export function uploadWithNodeHttp(
  url: string,
  total: number,
  options: { declared: boolean; expectContinue?: boolean },
): Promise<Outcome & { continued: boolean }> {
  return new Promise((resolve) => {
    let continued = false
    const request = http.request(url, {
      method: 'POST',
      agent: false,
      headers: {
        ...(options.declared ? { 'content-length': total } : {}),
        ...(options.expectContinue ? { expect: '100-continue' } : {}),
      },
    })
    let answered = false
    request.on('response', (response) => {
      answered = true
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (text: string) => {
        body += text
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, continued }))
      response.on('error', (error: NodeJS.ErrnoException) =>
        resolve({ error: `mid-reply ${error.code}`, continued }),
      )
    })
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (!answered) resolve({ error: error.code ?? String(error), continued })
    })
    let sent = 0
    const write = () => {
      while (sent < total) {
        sent += chunk.length
        if (!request.write(chunk)) {
          request.once('drain', write)
          return
        }
      }
      request.end()
    }
    if (options.expectContinue)
      request.once('continue', () => {
        continued = true
        write()
      })
    else write()
  })
}

/** A `serveHttp` server in a child process (`children/serveBlob.ts`), as a provider runs. */
export async function serveInChild(parameters: ServeHttpParameters = {}): Promise<{
  url: string
  /** Bytes the server holds in buffers, after a full garbage collection. */
  buffers(): Promise<number>
  close(): void
}> {
  const child: ChildProcess = fork(
    new URL('./children/serveBlob.ts', import.meta.url).pathname,
    [JSON.stringify(parameters)],
    { execArgv: ['--conditions=source', '--import', 'tsx', '--expose-gc'] },
  )
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      child.once('message', resolve)
      child.once('exit', (code) => reject(new Error(`serveBlob exited with ${code}`)))
    })
  const url = String(await next())
  return {
    url,
    async buffers() {
      child.send('memory')
      return Number(await next())
    },
    close: () => child.disconnect(),
  }
}
