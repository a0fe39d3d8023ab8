import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Reply } from '../server/reply.js'

/** How long, and how much of an unwanted upload, is read and thrown away before closing. */
export type Drain = { timeoutMs: number; maxBytes: number }

/**
 * Answers a request whose body is not wanted (too large), then closes the connection in stages
 * so the answer reaches the client. Closing a socket with unread input sends a reset, and a
 * reset makes the client's kernel drop whatever of the answer it has not read yet: a client
 * still uploading saw the 413 in 1 to 19 tries of 20. So: keep no more of the body, send the
 * answer with `Connection: close`, half-close (the answer, then end of stream), read and discard
 * the rest of the upload until it ends or `drain` runs out (time or bytes), then close.
 */
export function refuseAndClose(
  request: IncomingMessage,
  response: ServerResponse,
  reply: Reply,
  drain: Drain,
): void {
  const headers = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(reply.body),
    connection: 'close',
  }
  const socket = response.socket
  if (!socket) {
    // Queued behind a pipelined response: Node writes and closes it when its turn comes.
    request.resume()
    response.writeHead(reply.status, headers).end(reply.body)
    return
  }
  let drained = 0
  const stop = () => socket.destroy()
  const timer = setTimeout(stop, drain.timeoutMs)
  socket.once('close', () => clearTimeout(timer))
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length
    if (drained > drain.maxBytes) stop()
  })
  // The upload is over: nothing unread is left, so closing once the answer is out sends no reset.
  const done = () => (socket.writableFinished ? stop() : socket.once('finish', stop))
  if (request.readableEnded) done()
  else request.once('end', done)
  // `write`, not `end`: an ended response makes Node destroy the socket as soon as the answer is
  // flushed, with the upload still arriving.
  response.writeHead(reply.status, headers).write(reply.body)
  socket.end()
}
