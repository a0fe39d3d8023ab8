import {
  contentHash,
  InvalidInputError,
  parseWith,
  toValidationIssues,
  toWireError,
  WireError,
} from '@gotong/core'
import { type Address, bytesToHex, getAddress, type Hex } from 'viem'
import type { z } from 'zod'
import { createEnvelopeDigester } from '../envelope/createEnvelopeDigester.js'
import { recoverSigner } from '../envelope/recoverSigner.js'
import { type BodyAuthentication, type Envelope, Route, SignedRequest } from '../envelope/types.js'
import { TransportConflictError } from '../errors/transport.js'
import { createIdempotencyCache } from './createIdempotencyCache.js'
import { createReplayCache, replayKey } from './createReplayCache.js'
import { errorReply, fail, type Reply, resultReply } from './reply.js'

/** What a handler learns about a verified request besides its body. */
export type RequestContext = {
  /** The sender, proven by the envelope's signature. */
  from: Address
  route: string
  envelope: Envelope
  /** On a route authenticated by its body: what its `verify` returned besides the signer. */
  authenticated?: unknown
}

/**
 * A route whose requests authenticate through their body (see `BodyAuthentication`): `verify`
 * checks the body's `field` against the envelope's struct hash and returns who signed it, or
 * throws a `WireError`. Such a route takes no envelope signature.
 */
export type BodyVerifier = BodyAuthentication & {
  verify(
    value: unknown,
    envelopeHash: Hex,
    envelope: Envelope,
  ): Promise<{ signer: Address; proof?: unknown }> | { signer: Address; proof?: unknown }
}

/** Serves one route: gets the parsed body, returns a JSON-able result or throws a WireError. */
export type Handler<Body> = (body: Body, context: RequestContext) => unknown

export type CreateTransportServerParameters = {
  /** This agent's address: requests addressed to anyone else are refused. */
  address: Address
  /** The chain whose EIP-712 domain envelopes are signed under. */
  chainId: number
  /** Milliseconds since the epoch; `Date.now` by default. */
  now?: (() => number) | undefined
  /** How far a sender's clock may be off from ours. Default 10 s. */
  maxSkewMs?: number | undefined
  /** The longest lifetime an envelope may claim; bounds how long nonces are held. Default 60 s. */
  maxTtlMs?: number | undefined
  /** Larger requests get `payload_too_large` (413). Default 1 MiB. */
  maxBodyBytes?: number | undefined
  /**
   * How many unexpired (sender, nonce) pairs are held (~120 bytes each); past it, new requests
   * get `unavailable` (503, with `retryAfterMs`) until the oldest expire: none is forgotten early.
   * Default: room for 10,000 requests/s over the longest a nonce is held, `maxTtlMs + 2 ×
   * maxSkewMs` (800,000 with the defaults).
   */
  replayCapacity?: number | undefined
  /** How long and how many first answers are kept for retries. Default 10 min, 10,000. */
  idempotency?: { ttlMs?: number | undefined; capacity?: number | undefined } | undefined
  /** Sees every error a handler threw that went out as `internal` (its message is not sent). */
  onError?: ((error: unknown, context: RequestContext) => void) | undefined
}

/** Hosts routes behind signed envelopes; serve it over HTTP (`serveHttp`) or a bus. */
export type TransportServer = {
  readonly address: Address
  readonly chainId: number
  readonly maxBodyBytes: number
  /** How many unexpired nonces it holds at most (see `replayCapacity`). */
  readonly replayCapacity: number
  /**
   * Adds a route whose body is parsed with `schema` before `handler` sees it. With
   * `authenticate`, its requests are authenticated by their body instead of a signature.
   */
  handle<Schema extends z.ZodType>(
    route: string,
    schema: Schema,
    handler: Handler<z.output<Schema>>,
    options?: { authenticate?: BodyVerifier | undefined },
  ): TransportServer
  /**
   * Verifies and answers one request given as JSON text. `route` is the route the request
   * arrived on (an HTTP path); it must equal the signed one. Never rejects.
   */
  receive(text: string, options?: { route?: string | undefined }): Promise<Reply>
}

type Registered = {
  schema: z.ZodType
  handler: Handler<unknown>
  authenticate: BodyVerifier | undefined
}

/**
 * Creates a transport server. Every request is checked before its handler runs: size, the
 * envelope's shape, chain, recipient, route, lifetime within the allowed clock skew, body hash,
 * the EIP-712 signature of `from`, and the nonce not seen before; then the body is parsed with
 * the route's zod schema, and a request with an idempotency key already answered (or still
 * running) gets that first answer.
 *
 * @example
 * const server = createTransportServer({ address: account.address, chainId: 31337 })
 *   .handle('echo', z.object({ text: z.string() }), (body, { from }) => ({ from, text: body.text }))
 */
export function createTransportServer(
  parameters: CreateTransportServerParameters,
): TransportServer {
  const address = getAddress(parameters.address)
  const me = address.toLowerCase()
  const chainId = parameters.chainId
  const now = parameters.now ?? Date.now
  const maxSkewMs = parameters.maxSkewMs ?? 10_000
  const maxTtlMs = parameters.maxTtlMs ?? 60_000
  const maxBodyBytes = parameters.maxBodyBytes ?? 1024 * 1024
  const digester = createEnvelopeDigester(chainId)
  const replayCapacity =
    parameters.replayCapacity ?? Math.ceil((10_000 * (maxTtlMs + 2 * maxSkewMs)) / 1_000)
  const replay = createReplayCache(replayCapacity)
  // The latest time seen: were the clock to step back, nonces already forgotten as expired
  // would become acceptable again, so time here never goes back.
  let latest = Number.NEGATIVE_INFINITY
  const idempotency = createIdempotencyCache({
    ttlMs: parameters.idempotency?.ttlMs ?? 600_000,
    capacity: parameters.idempotency?.capacity ?? 10_000,
  })
  const routes = new Map<string, Registered>()

  async function run(entry: Registered, body: unknown, context: RequestContext): Promise<Reply> {
    try {
      return resultReply(await entry.handler(body, context))
    } catch (error) {
      const wire = toWireError(error)
      if (wire.reason === 'internal' && !(error instanceof WireError))
        parameters.onError?.(error, context)
      return errorReply(wire)
    }
  }

  async function receive(text: string, options: { route?: string | undefined } = {}) {
    if (exceeds(text, maxBodyBytes))
      return fail('payload_too_large', `Requests are limited to ${maxBodyBytes} bytes`, {
        maxBodyBytes,
      })
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return errorReply(
        toWireError(
          new InvalidInputError('request', [
            { rule: 'invalid_json', path: '', message: 'is not valid JSON' },
          ]),
        ),
      )
    }
    let request: SignedRequest
    try {
      request = parseWith(SignedRequest, json, 'request envelope')
    } catch (error) {
      return errorReply(toWireError(error))
    }
    const { envelope, signature, body } = request
    if (options.route !== undefined && options.route !== envelope.route)
      return fail('invalid_signature', 'The signed route differs from the route requested')
    if (envelope.chainId !== chainId)
      return fail(
        'invalid_signature',
        `The envelope is signed for chain ${envelope.chainId}, not ${chainId}`,
      )
    if (envelope.to.toLowerCase() !== me)
      return fail(
        'invalid_signature',
        `The envelope is addressed to ${envelope.to}, not ${address}`,
      )
    const entry = routes.get(envelope.route)
    if (!entry) return fail('not_found', `No route ${envelope.route}`)
    const time = Math.max(now(), latest)
    latest = time
    if (envelope.expiresAt + maxSkewMs < time)
      return fail('expired', 'The envelope has expired', {
        expiresAt: envelope.expiresAt,
        now: time,
      })
    if (envelope.expiresAt > time + maxTtlMs + maxSkewMs)
      return fail(
        'expired',
        `The envelope expires too far ahead: clocks differ by more than ${maxSkewMs} ms or its lifetime exceeds ${maxTtlMs} ms`,
        { expiresAt: envelope.expiresAt, now: time, maxTtlMs, maxSkewMs },
      )
    const auth = entry.authenticate
    if (auth && signature !== null)
      return fail(
        'invalid_signature',
        `Requests to ${envelope.route} are authenticated by the body's ${auth.field}, not an envelope signature`,
      )
    if (!auth && signature === null) return fail('invalid_signature', 'The envelope is not signed')
    let bodyHash: string
    try {
      bodyHash = contentHash(auth ? without(body, auth.field) : body)
    } catch (error) {
      return errorReply(toWireError(error))
    }
    if (bodyHash !== envelope.bodyHash)
      return fail('invalid_signature', 'The body does not match the signed body hash')
    let signer: string | undefined
    let authenticated: unknown
    if (auth) {
      // The body's authenticator signs the envelope's struct hash: as strong as a signature of
      // the envelope, and checked before anything (nonce, idempotency) is remembered.
      try {
        const verified = await auth.verify(
          (body as Record<string, unknown> | null)?.[auth.field],
          bytesToHex(digester.structHash(envelope)),
          envelope,
        )
        signer = verified.signer.toLowerCase()
        authenticated = verified.proof
      } catch (error) {
        return errorReply(toWireError(error))
      }
    } else signer = await recoverSigner(digester.digest(envelope), signature as Hex)
    if (signer !== envelope.from.toLowerCase())
      return fail('invalid_signature', `The envelope is not signed by ${envelope.from}`)
    const from = envelope.from
    const seen = replay.remember(
      replayKey(signer, envelope.nonce),
      envelope.expiresAt + maxSkewMs,
      time,
    )
    if (seen === 'replayed')
      return fail('replayed', 'This envelope was already received', { nonce: envelope.nonce })
    if (seen === 'full') {
      const retryAfterMs = Math.max(1, (replay.nextExpiry() ?? time) - time + 1)
      return fail(
        'unavailable',
        `Too many unexpired requests held against replays (${replayCapacity}); retry in ${retryAfterMs} ms`,
        { replayCapacity, retryAfterMs },
      )
    }
    // Async so that schemas with async refinements work too.
    const parsed = await entry.schema.safeParseAsync(body)
    if (!parsed.success)
      return errorReply(
        toWireError(
          new InvalidInputError(
            `body of ${envelope.route}`,
            toValidationIssues(parsed.error.issues, body),
          ),
        ),
      )
    const context: RequestContext = {
      from,
      route: envelope.route,
      envelope,
      ...(auth ? { authenticated } : {}),
    }
    if (envelope.idempotencyKey === undefined) return run(entry, parsed.data, context)
    const key = `${signer}:${envelope.idempotencyKey}`
    const first = idempotency.lookup(key, time)
    if (first) {
      if (first.route !== envelope.route || first.bodyHash !== envelope.bodyHash)
        return errorReply(
          toWireError(
            new InvalidInputError('idempotency key', [
              {
                rule: 'idempotency_key_reused',
                path: 'envelope.idempotencyKey',
                message: 'was already used for a different request',
              },
            ]),
          ),
        )
      return first.reply
    }
    const reply = run(entry, parsed.data, context)
    idempotency.store(key, {
      route: envelope.route,
      bodyHash: envelope.bodyHash,
      reply,
      storedAt: time,
      settled: false,
    })
    return reply
  }

  const server: TransportServer = {
    address,
    chainId,
    maxBodyBytes,
    replayCapacity,
    handle(route, schema, handler, options = {}) {
      const name = parseWith(Route, route, 'route')
      if (routes.has(name)) throw new TransportConflictError(`Route ${name} is already handled.`)
      routes.set(name, {
        schema,
        handler: handler as Handler<unknown>,
        authenticate: options.authenticate,
      })
      return server
    },
    async receive(text, options) {
      try {
        return await receive(text, options)
      } catch (error) {
        return errorReply(toWireError(error))
      }
    },
  }
  return server
}

/** The body as hashed into `bodyHash` on a body-authenticated route: without its authenticator. */
function without(body: unknown, field: string): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body
  const { [field]: _, ...rest } = body as Record<string, unknown>
  return rest
}

/** Whether `text` is longer than `max` bytes in UTF-8, counting only when it could matter. */
function exceeds(text: string, max: number): boolean {
  if (text.length > max) return true
  if (text.length * 3 <= max) return false
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code < 0xdc00 ? 4 : 3
    if (code >= 0xd800 && code < 0xdc00) i++
  }
  return bytes > max
}
