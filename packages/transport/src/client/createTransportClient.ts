import { parseWith, WireError, WireErrorPayload } from '@gotong/core'
import type { Address, Hex } from 'viem'
import type { z } from 'zod'
import { type BodyAttachment, signRequest } from '../envelope/signRequest.js'
import type { Signer } from '../envelope/types.js'
import { ConnectionResetError, RequestAbortedError } from '../errors/transport.js'
import type { Reply } from '../server/reply.js'

/**
 * Delivers one signed request's JSON text to `to` and resolves to its reply. It rejects with a
 * `WireError` (`unavailable`) when the peer cannot be reached, with a `ConnectionResetError` when
 * the connection dropped before any reply byte (the client may resend), and must stop when
 * `signal` aborts.
 */
export type Send = (request: {
  to: Address
  route: string
  text: string
  signal: AbortSignal
}) => Promise<Reply>

export type RequestOptions<Schema extends z.ZodType = z.ZodType<unknown>> = {
  /** Parses the result (it comes from outside, like any input); `unknown` without it. */
  result?: Schema | undefined
  /** Gives up with a `timeout` WireError after this long. Default: the client's `timeoutMs`. */
  timeoutMs?: number | undefined
  /** Aborts the request (rejects with `RequestAbortedError`). */
  signal?: AbortSignal | undefined
  /** Retries with the same key are answered with the first request's result. */
  idempotencyKey?: string | undefined
  /** The envelope's lifetime. Default: the client's `ttlMs`. */
  ttlMs?: number | undefined
  /**
   * Authenticates by the body instead of an envelope signature (a paid call's voucher): called
   * for each envelope sent, a re-send after a reset included, with that envelope's struct hash.
   */
  authenticate?: BodyAttachment | undefined
}

/** Calls peers' routes with signed envelopes; the same interface over HTTP and the bus. */
export type TransportClient = {
  readonly address: Address
  /**
   * Signs and sends `body` to `route` on agent `to`. Resolves to the handler's result; rejects
   * with the peer's `WireError` (or `unavailable` / `timeout` ones of its own).
   */
  request<Schema extends z.ZodType = z.ZodType<unknown>>(
    to: Address,
    route: string,
    body: unknown,
    options?: RequestOptions<Schema>,
  ): Promise<z.output<Schema>>
}

export type CreateTransportClientParameters = {
  signer: Signer
  chainId: number
  /** Milliseconds since the epoch; `Date.now` by default. */
  now?: (() => number) | undefined
  /** Envelope lifetime. Default 30 s (servers refuse more than their `maxTtlMs`, 60 s). */
  ttlMs?: number | undefined
  /** Default 10 s. */
  timeoutMs?: number | undefined
  /** 32 random bytes per request by default. */
  nonce?: (() => Hex) | undefined
  send: Send
}

/**
 * A transport client over any `Send` function; `createHttpClient` and `createBusClient` are
 * this with their own `send`. When `send` reports a `ConnectionResetError`, the request is sent
 * once more, within the same timeout, as a freshly signed envelope (new nonce) with the same
 * idempotency key, so a server that did run the first answers with that first result. A request
 * without a key is resent only if the reset socket was a reused keep-alive one (closed by the
 * server as idle, before the request was read); give a key to make every resend safe.
 *
 * @example
 * const client = createTransportClient({ signer: account, chainId: 31337, send })
 * const echo = await client.request(peer, 'echo', { text: 'hi' }, { result: EchoResult })
 */
export function createTransportClient(
  parameters: CreateTransportClientParameters,
): TransportClient {
  const now = parameters.now ?? Date.now
  return {
    address: parameters.signer.address,
    async request<Schema extends z.ZodType = z.ZodType<unknown>>(
      to: Address,
      route: string,
      body: unknown,
      options: RequestOptions<Schema> = {},
    ): Promise<z.output<Schema>> {
      const sign = async () =>
        JSON.stringify(
          await signRequest(parameters.signer, {
            chainId: parameters.chainId,
            to,
            route,
            body,
            expiresAt: now() + (options.ttlMs ?? parameters.ttlMs ?? 30_000),
            nonce: parameters.nonce?.(),
            idempotencyKey: options.idempotencyKey,
            authenticate: options.authenticate,
          }),
        )
      let text = await sign()
      const timeoutMs = options.timeoutMs ?? parameters.timeoutMs ?? 10_000
      const caller = options.signal
      if (caller?.aborted) throw new RequestAbortedError(route, caller.reason)
      const controller = new AbortController()
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        controller.abort()
      }, timeoutMs)
      const onAbort = () => controller.abort()
      caller?.addEventListener('abort', onAbort, { once: true })
      let reply: Reply
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            reply = await parameters.send({ to, route, text, signal: controller.signal })
            break
          } catch (error) {
            if (
              attempt > 1 ||
              !(error instanceof ConnectionResetError) ||
              (options.idempotencyKey === undefined && !error.reusedSocket) ||
              controller.signal.aborted
            )
              throw error
            // The first envelope may have been received (its nonce is then spent): a fresh one,
            // with the same idempotency key, gets the first run's answer instead of a second run.
            text = await sign()
          }
        }
      } catch (error) {
        if (timedOut)
          throw new WireError('timeout', `No answer from ${to} to ${route} in ${timeoutMs} ms`, {
            data: { timeoutMs },
            cause: error,
          })
        if (caller?.aborted) throw new RequestAbortedError(route, caller.reason)
        if (error instanceof WireError) throw error
        throw new WireError('unavailable', `Could not reach ${to}`, { cause: error })
      } finally {
        clearTimeout(timer)
        caller?.removeEventListener('abort', onAbort)
      }
      const result = decode(reply, to)
      return (
        options.result ? parseWith(options.result, result, `result of ${route}`) : result
      ) as z.output<Schema>
    },
  }
}

/** The result of a 200 reply, or the WireError of any other. */
function decode(reply: Reply, peer: Address): unknown {
  let json: unknown
  try {
    json = JSON.parse(reply.body)
  } catch {
    json = undefined
  }
  if (json !== null && typeof json === 'object') {
    const object = json as { result?: unknown; error?: unknown }
    if (reply.status === 200 && !('error' in object)) return object.result
    const payload = WireErrorPayload.safeParse(object.error)
    if (payload.success) throw WireError.fromPayload(payload.data)
  }
  throw new WireError('unavailable', `${peer} answered ${reply.status} without a gotong reply`, {
    data: { status: reply.status },
  })
}
