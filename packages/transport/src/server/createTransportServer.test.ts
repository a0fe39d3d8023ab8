import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { createBus } from '../bus/createBus.js'
import { signRequest } from '../envelope/signRequest.js'
import { TransportConflictError } from '../errors/transport.js'
import { createTransportServer } from './createTransportServer.js'

const provider = privateKeyToAccount(
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
)
const consumer = privateKeyToAccount(
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
)
const chainId = 31337

function setup(
  options: {
    replayCapacity?: number
    maxTtlMs?: number
    maxSkewMs?: number
    idempotency?: { ttlMs: number }
  } = {},
) {
  let clock = 1_000_000
  let calls = 0
  const server = createTransportServer({
    address: provider.address,
    chainId,
    now: () => clock,
    ...options,
  }).handle('count', z.null(), () => ++calls)
  const sign = async (idempotencyKey?: string) =>
    JSON.stringify(
      await signRequest(consumer, {
        chainId,
        to: provider.address,
        route: 'count',
        body: null,
        expiresAt: clock + 30_000,
        idempotencyKey,
      }),
    )
  const send = async (text: string) => {
    const reply = await server.receive(text)
    return { status: reply.status, ...JSON.parse(reply.body) }
  }
  const call = async (idempotencyKey?: string) => send(await sign(idempotencyKey))
  return {
    server,
    sign,
    send,
    call,
    advance: (ms: number) => (clock += ms),
    calls: () => calls,
  }
}

describe('createTransportServer', () => {
  test('holds at most replayCapacity live nonces, then answers unavailable until they expire', async () => {
    const { call, sign, send, advance } = setup({ replayCapacity: 2 })
    const first = await sign()
    expect((await send(first)).result).toBe(1)
    expect((await call()).result).toBe(2)
    // Full: new requests are turned away with when to retry; a replay is still a replay.
    expect(await call()).toMatchObject({
      status: 503,
      error: { reason: 'unavailable', data: { replayCapacity: 2, retryAfterMs: 40_001 } },
    })
    expect(await send(first)).toMatchObject({ status: 409, error: { reason: 'replayed' } })
    advance(40_000)
    expect(await call()).toMatchObject({ status: 503, error: { data: { retryAfterMs: 1 } } })
    expect(await send(first)).toMatchObject({ status: 409 })
    advance(1)
    expect((await call()).result).toBe(3)
    // Forgotten only once it can no longer be accepted: the envelope has expired.
    expect(await send(first)).toMatchObject({ status: 408, error: { reason: 'expired' } })
  })

  test('by default holds 10,000 requests/s over the longest a nonce can be held', () => {
    expect(setup().server.replayCapacity).toBe(800_000)
    expect(setup({ maxTtlMs: 30_000, maxSkewMs: 5_000 }).server.replayCapacity).toBe(400_000)
    expect(setup({ replayCapacity: 5 }).server.replayCapacity).toBe(5)
  })

  test('a clock that steps back does not bring a forgotten nonce back to life', async () => {
    let clock = 1_000_000
    let calls = 0
    const server = createTransportServer({
      address: provider.address,
      chainId,
      now: () => clock,
    }).handle('count', z.null(), () => ++calls)
    const sign = async () =>
      JSON.stringify(
        await signRequest(consumer, {
          chainId,
          to: provider.address,
          route: 'count',
          body: null,
          expiresAt: clock + 30_000,
        }),
      )
    const captured = await sign()
    expect((await server.receive(captured)).status).toBe(200)
    clock += 40_001
    // Another request makes the server drop the captured nonce: it has expired.
    expect((await server.receive(await sign())).status).toBe(200)
    clock -= 60_000
    expect(JSON.parse((await server.receive(captured)).body)).toMatchObject({
      error: { reason: 'expired' },
    })
    expect(calls).toBe(2)
  })

  test('keeps first answers for the idempotency ttl, then runs a request again', async () => {
    const { call, advance, calls } = setup({ idempotency: { ttlMs: 60_000 } })
    expect((await call('k')).result).toBe(1)
    advance(60_000)
    expect((await call('k')).result).toBe(1)
    advance(1)
    expect((await call('k')).result).toBe(2)
    expect(calls()).toBe(2)
  })

  test('a route or a bus address can be taken only once', () => {
    const { server } = setup()
    expect(() => server.handle('count', z.null(), () => 0)).toThrow(TransportConflictError)
    expect(() => server.handle('bad route', z.null(), () => 0)).toThrow(/Invalid route/)
    const bus = createBus()
    const listener = bus.serve(server)
    expect(() => bus.serve(server)).toThrow(TransportConflictError)
    expect(bus.peers()).toEqual([provider.address])
    return listener.close().then(() => expect(bus.peers()).toEqual([]))
  })
})
