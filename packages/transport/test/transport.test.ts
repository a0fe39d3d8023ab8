import { AddressSchema, InvalidInputError, Uint256, WireError } from '@gotong/core'
import { privateKeyToAccount } from 'viem/accounts'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { z } from 'zod'
import {
  createTransportServer,
  RequestAbortedError,
  type SignedRequest,
  type SignRequestParameters,
  signRequest,
  type TransportServer,
} from '../src/index.js'
import { type Kit, kits } from './kits.js'

const provider = privateKeyToAccount(
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
)
const consumer = privateKeyToAccount(
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
)
const mallory = privateKeyToAccount(
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
)
const chainId = 31337
const t0 = 1_750_000_000_000

const Echo = z.strictObject({ text: z.string().max(20), amount: Uint256.optional() })
const EchoResult = z.strictObject({ from: AddressSchema, text: z.string(), amount: Uint256 })

async function rejection(promise: Promise<unknown>): Promise<WireError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(WireError)
  return error as WireError
}

async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1))
}

describe.each(['http', 'fetch', 'bus'] as const)('transport over %s', (kind) => {
  let kit: Kit
  let server: TransportServer
  let clock: number
  let calls: number
  let arrivals: number
  let gate: Promise<void>
  let release: () => void
  const internalErrors: unknown[] = []

  function closeGate() {
    gate = new Promise((resolve) => {
      release = resolve
    })
  }

  beforeEach(async () => {
    kit = kits[kind]()
    clock = t0
    calls = 0
    arrivals = 0
    gate = Promise.resolve()
    release = () => {}
    internalErrors.length = 0
    server = createTransportServer({
      address: provider.address,
      chainId,
      now: () => clock,
      maxBodyBytes: 2048,
      onError: (error) => internalErrors.push(error),
    })
      .handle('echo', Echo, ({ text, amount }, { from }) => ({ from, text, amount: amount ?? 0n }))
      .handle('count', z.strictObject({ n: z.number().int() }), async ({ n }) => {
        const call = ++calls
        await gate
        return { n, call }
      })
      .handle('pay', z.null(), () => {
        throw new WireError('payment_required', 'Send a voucher first', { data: { price: '10' } })
      })
      .handle('crash', z.null(), () => {
        throw new Error('database password is hunter2')
      })
    const receive = server.receive
    await kit.host({
      ...server,
      receive(text, options) {
        arrivals++
        return receive(text, options)
      },
    })
  })

  afterEach(async () => {
    release()
    await kit.close()
  })

  const client = (now = () => clock, signer = consumer) =>
    kit.client({ signer, chainId, now, timeoutMs: 5_000 })

  const sign = (overrides: Partial<SignRequestParameters> = {}, signer = consumer) =>
    signRequest(signer, {
      chainId,
      to: provider.address,
      route: 'echo',
      body: { text: 'hi' },
      expiresAt: clock + 30_000,
      ...overrides,
    })

  /** Sends a request as raw text; returns the status and the parsed reply. */
  async function send(request: SignedRequest | string, route?: string) {
    const text = typeof request === 'string' ? request : JSON.stringify(request)
    const reply = await kit.raw(
      provider.address,
      route ?? (request as SignedRequest).envelope.route,
      text,
    )
    return { status: reply.status, ...JSON.parse(reply.body) }
  }

  test('a signed round trip: the handler sees the verified sender, the result is parsed', async () => {
    const result = await client().request(
      provider.address,
      'echo',
      { text: 'hi', amount: 2n ** 200n },
      { result: EchoResult },
    )
    expect(result).toEqual({ from: consumer.address, text: 'hi', amount: 2n ** 200n })
    expect(await client().request(provider.address, 'echo', { text: 'raw' })).toEqual({
      from: consumer.address,
      text: 'raw',
      amount: '0',
    })
  })

  test('a result that does not match the caller’s schema is refused locally', async () => {
    const error = await client()
      .request(provider.address, 'echo', { text: 'hi' }, { result: z.object({ text: z.number() }) })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidInputError)
    expect((error as InvalidInputError).rules).toEqual(['invalid_type'])
  })

  describe('forgery is invalid_signature (401)', () => {
    test('a tampered body', async () => {
      const request = await sign()
      const reply = await send({ ...request, body: { text: 'pay mallory' } })
      expect(reply).toMatchObject({
        status: 401,
        error: { code: 401, reason: 'invalid_signature' },
      })
      expect(reply.error.message).toBe('The body does not match the signed body hash')
      expect(calls).toBe(0)
    })

    test('a tampered header field', async () => {
      const request = await sign()
      for (const envelope of [
        { ...request.envelope, expiresAt: request.envelope.expiresAt + 1 },
        { ...request.envelope, nonce: `0x${'00'.repeat(32)}` as const },
        { ...request.envelope, idempotencyKey: 'sneaky' },
      ]) {
        const reply = await send({ ...request, envelope })
        expect(reply.error).toMatchObject({ reason: 'invalid_signature' })
        expect(reply.error.message).toBe(`The envelope is not signed by ${consumer.address}`)
      }
    })

    test('a signature from another key', async () => {
      const forged = await sign({}, mallory)
      const reply = await send({
        ...forged,
        envelope: { ...forged.envelope, from: consumer.address },
      })
      expect(reply).toMatchObject({ status: 401, error: { reason: 'invalid_signature' } })
      // Mallory's own, honest envelope goes through: the key was the only problem.
      expect((await send(forged)).result).toEqual({
        from: mallory.address,
        text: 'hi',
        amount: '0',
      })
    })

    test('an envelope addressed to someone else, or signed for another chain', async () => {
      const elsewhere = await sign({ to: mallory.address })
      expect((await send(elsewhere)).error).toMatchObject({
        reason: 'invalid_signature',
        message: `The envelope is addressed to ${mallory.address}, not ${provider.address}`,
      })
      const otherChain = await sign({ chainId: 1 })
      expect((await send(otherChain)).error).toMatchObject({
        reason: 'invalid_signature',
        message: 'The envelope is signed for chain 1, not 31337',
      })
    })

    test('a request sent to a route other than the signed one', async () => {
      const request = await sign({ route: 'count', body: { n: 1 } })
      expect((await send(request, 'echo')).error).toMatchObject({ reason: 'invalid_signature' })
      expect(calls).toBe(0)
    })
  })

  test('a replayed envelope is refused (409) and the handler ran once', async () => {
    const request = await sign({ route: 'count', body: { n: 7 } })
    expect(await send(request)).toEqual({ status: 200, result: { n: 7, call: 1 } })
    expect(await send(request)).toMatchObject({
      status: 409,
      error: { code: 409, reason: 'replayed', data: { nonce: request.envelope.nonce } },
    })
    expect(calls).toBe(1)
  })

  test('an expired envelope is refused (408); the allowed skew is honoured to the millisecond', async () => {
    const onTime = await sign({ expiresAt: t0 + 30_000 })
    const late = await sign({ expiresAt: t0 + 30_000 })
    clock = t0 + 30_000 + 10_000
    expect((await send(onTime)).status).toBe(200)
    clock += 1
    expect(await send(late)).toMatchObject({
      status: 408,
      error: { reason: 'expired', data: { expiresAt: t0 + 30_000, now: t0 + 40_001 } },
    })
  })

  test('a sender clock too far off is refused as expired', async () => {
    const ahead = await rejection(
      client(() => clock + 120_000).request(provider.address, 'echo', { text: 'hi' }),
    )
    expect(ahead).toMatchObject({ reason: 'expired', wireCode: 408 })
    expect(ahead.data).toEqual({
      expiresAt: t0 + 150_000,
      now: t0,
      maxTtlMs: 60_000,
      maxSkewMs: 10_000,
    })
    const behind = await rejection(
      client(() => clock - 50_000).request(provider.address, 'echo', { text: 'hi' }),
    )
    expect(behind).toMatchObject({ reason: 'expired' })
    // Within the allowed skew both ways: accepted.
    for (const offset of [-15_000, 9_000])
      await client(() => clock + offset).request(provider.address, 'echo', { text: 'ok' })
    const tooLong = client().request(provider.address, 'echo', { text: 'hi' }, { ttlMs: 75_000 })
    expect(await rejection(tooLong)).toMatchObject({ reason: 'expired' })
  })

  test('a body that fails the route’s schema is invalid_input (400) with the zod issues', async () => {
    const error = await rejection(
      client().request(provider.address, 'echo', { text: 42, extra: true, amount: '-1' }),
    )
    expect(error.wireCode).toBe(400)
    expect(error.reason).toBe('invalid_input')
    expect(error.data).toMatchInlineSnapshot(`
      {
        "issues": [
          {
            "message": "Invalid input: expected string, received number",
            "path": "text",
            "rule": "invalid_type",
          },
          {
            "message": "uint256 as a decimal string",
            "path": "amount",
            "rule": "invalid_format",
          },
          {
            "message": "Unrecognized key: "extra"",
            "path": "",
            "rule": "unknown_field",
          },
        ],
      }
    `)
  })

  test('malformed requests are invalid_input before anything else', async () => {
    expect(await send('{"envelope":', 'echo')).toMatchObject({
      status: 400,
      error: { reason: 'invalid_input', data: { issues: [{ rule: 'invalid_json' }] } },
    })
    const request = await sign()
    const { bodyHash: _, ...envelope } = request.envelope
    const reply = await send({ ...request, envelope } as never, 'echo')
    expect(reply.error.data.issues).toEqual([
      { rule: 'required', path: 'envelope.bodyHash', message: expect.any(String) },
    ])
  })

  test('an oversized request is payload_too_large (413)', async () => {
    const error = await rejection(
      client().request(provider.address, 'echo', { text: 'x'.repeat(3_000) }),
    )
    expect(error).toMatchObject({ reason: 'payload_too_large', wireCode: 413 })
    expect(error.data).toEqual({ maxBodyBytes: 2048 })
    // Counted in UTF-8 bytes, not characters.
    const wide = await sign({ body: { text: 'ü'.repeat(900) } })
    expect((await send(wide)).status).toBe(413)
  })

  test('an unknown route is not_found (404)', async () => {
    const error = await rejection(client().request(provider.address, 'nope', {}))
    expect(error).toMatchObject({ reason: 'not_found', wireCode: 404 })
  })

  test('a handler’s WireError reaches the caller as is; other errors as internal, unleaked', async () => {
    const pay = await rejection(client().request(provider.address, 'pay', null))
    expect(pay).toMatchObject({ reason: 'payment_required', wireCode: 402, data: { price: '10' } })
    expect(pay.shortMessage).toBe('payment_required: Send a voucher first')
    const crash = await rejection(client().request(provider.address, 'crash', null))
    expect(crash).toMatchObject({ reason: 'internal', wireCode: 500 })
    expect(crash.message).not.toContain('hunter2')
    expect(internalErrors).toEqual([new Error('database password is hunter2')])
  })

  describe('idempotency keys', () => {
    test('a retry is answered from the first result; the handler ran once', async () => {
      const first = await client().request(
        provider.address,
        'count',
        { n: 1 },
        { idempotencyKey: 'k1' },
      )
      clock += 5_000
      const retry = await client().request(
        provider.address,
        'count',
        { n: 1 },
        { idempotencyKey: 'k1' },
      )
      expect(first).toEqual({ n: 1, call: 1 })
      expect(retry).toEqual(first)
      expect(calls).toBe(1)
      // Without a key, or with another key, or from another sender, it runs again.
      await client().request(provider.address, 'count', { n: 1 })
      await client().request(provider.address, 'count', { n: 1 }, { idempotencyKey: 'k2' })
      await client(undefined, mallory).request(
        provider.address,
        'count',
        { n: 1 },
        { idempotencyKey: 'k1' },
      )
      expect(calls).toBe(4)
    })

    test('a concurrent duplicate waits for the first result', async () => {
      closeGate()
      const first = client().request(provider.address, 'count', { n: 2 }, { idempotencyKey: 'k' })
      await until(() => calls === 1)
      let duplicateSettled = false
      const duplicate = client()
        .request(provider.address, 'count', { n: 2 }, { idempotencyKey: 'k' })
        .finally(() => {
          duplicateSettled = true
        })
      await until(() => arrivals === 2)
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(duplicateSettled).toBe(false)
      release()
      expect(await first).toEqual({ n: 2, call: 1 })
      expect(await duplicate).toEqual({ n: 2, call: 1 })
      expect(calls).toBe(1)
    })

    test('the same key with a different body or route is refused', async () => {
      await client().request(provider.address, 'count', { n: 3 }, { idempotencyKey: 'k' })
      for (const [route, body] of [
        ['count', { n: 4 }],
        ['echo', { text: 'hi' }],
      ] as const) {
        const error = await rejection(
          client().request(provider.address, route, body, { idempotencyKey: 'k' }),
        )
        expect(error).toMatchObject({ reason: 'invalid_input', wireCode: 400 })
        expect(error.data).toEqual({
          issues: [
            {
              rule: 'idempotency_key_reused',
              path: 'envelope.idempotencyKey',
              message: 'was already used for a different request',
            },
          ],
        })
      }
      expect(calls).toBe(1)
    })
  })

  test('a peer that does not answer in time is a timeout (504)', async () => {
    closeGate()
    const started = performance.now()
    const error = await rejection(
      client().request(provider.address, 'count', { n: 1 }, { timeoutMs: 100 }),
    )
    expect(error).toMatchObject({ reason: 'timeout', wireCode: 504, data: { timeoutMs: 100 } })
    expect(performance.now() - started).toBeLessThan(2_000)
  })

  test('an unreachable peer is unavailable (503)', async () => {
    const unreachable = await kit.unreachable({ signer: consumer, chainId }, mallory.address)
    const error = await rejection(unreachable.request(mallory.address, 'echo', { text: 'hi' }))
    expect(error).toMatchObject({ reason: 'unavailable', wireCode: 503 })
    const unknown = await rejection(client().request(mallory.address, 'echo', { text: 'hi' }))
    expect(unknown).toMatchObject({ reason: 'unavailable' })
  })

  test('the caller’s own abort is a RequestAbortedError', async () => {
    closeGate()
    const controller = new AbortController()
    const pending = client().request(
      provider.address,
      'count',
      { n: 1 },
      { signal: controller.signal },
    )
    await until(() => calls === 1)
    controller.abort()
    await expect(pending).rejects.toBeInstanceOf(RequestAbortedError)
    await expect(
      client().request(provider.address, 'echo', { text: 'hi' }, { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'REQUEST_ABORTED' })
  })
})
