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

function setup(options: { replayCapacity?: number; idempotency?: { ttlMs: number } } = {}) {
  let clock = 1_000_000
  let calls = 0
  const server = createTransportServer({
    address: provider.address,
    chainId,
    now: () => clock,
    ...options,
  }).handle('count', z.null(), () => ++calls)
  const call = async (idempotencyKey?: string) => {
    const request = await signRequest(consumer, {
      chainId,
      to: provider.address,
      route: 'count',
      body: null,
      expiresAt: clock + 30_000,
      idempotencyKey,
    })
    const reply = await server.receive(JSON.stringify(request))
    return { status: reply.status, ...JSON.parse(reply.body) }
  }
  return { server, call, advance: (ms: number) => (clock += ms), calls: () => calls }
}

describe('createTransportServer', () => {
  test('holds at most replayCapacity live nonces, then answers unavailable until they expire', async () => {
    const { call, advance } = setup({ replayCapacity: 2 })
    expect((await call()).result).toBe(1)
    expect((await call()).result).toBe(2)
    expect(await call()).toMatchObject({ status: 503, error: { reason: 'unavailable' } })
    advance(30_000 + 10_000 + 1)
    expect((await call()).result).toBe(3)
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
