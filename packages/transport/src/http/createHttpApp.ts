import { toWireError } from '@gotong/core'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { TransportServer } from '../server/createTransportServer.js'
import { errorReply, fail, type Reply } from '../server/reply.js'

/**
 * The HTTP face of a transport server as a Hono app: `POST /<route>` with the signed request as
 * JSON; replies are JSON with the wire code as status. Bodies over the server's `maxBodyBytes`
 * are refused (413) before they are read. Mount it in any Hono app or fetch-based runtime;
 * `serveHttp` (from `@gotong/transport/node`) runs it on Node.
 *
 * @example
 * const app = createHttpApp(server)
 * export default { fetch: app.fetch } // a worker, Bun, Deno…
 */
export function createHttpApp(server: TransportServer): Hono {
  const app = new Hono()
  app.post(
    '/:route{.+}',
    bodyLimit({
      maxSize: server.maxBodyBytes,
      onError: () =>
        respond(
          fail('payload_too_large', `Requests are limited to ${server.maxBodyBytes} bytes`, {
            maxBodyBytes: server.maxBodyBytes,
          }),
        ),
    }),
    async (c) => respond(await server.receive(await c.req.text(), { route: c.req.param('route') })),
  )
  app.notFound((c) => respond(fail('not_found', `No route for ${c.req.method} ${c.req.path}`)))
  app.onError((error) => respond(errorReply(toWireError(error))))
  return app
}

function respond(reply: Reply): Response {
  return new Response(reply.body, {
    status: reply.status,
    headers: { 'content-type': 'application/json' },
  })
}
