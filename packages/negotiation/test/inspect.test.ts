import { createServer } from 'node:net'
import { createWebSocketReceiver, type StatelyInspectionEvent } from '@statelyai/inspect'
import { createInspectorServer } from '@statelyai/inspect/server'
import { afterEach, describe, expect, test } from 'vitest'
import type { InspectionEvent } from 'xstate'
import { negotiate, resolveInspect } from '../src/index.js'
import {
  chainId,
  consumer,
  network,
  providerAccounts,
  randomBytes,
  simulatedClock,
  tool,
} from './fixtures.js'

const a = providerAccounts[0]!.address
const constraints = { maxPricePerCall: 1_000n, calls: 10n }

let net: ReturnType<typeof network>
afterEach(() => net?.stop())

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

/** Top-level states a machine went through, in order, from inspection snapshot events. */
function path(events: readonly { type: string; snapshot?: unknown }[], machineId: string) {
  const values: string[] = []
  for (const event of events) {
    if (event.type !== '@xstate.snapshot') continue
    const snapshot = event.snapshot as { value?: unknown; machine?: { id?: string } }
    const root = (event as { actorRef?: { logic?: { id?: string } } }).actorRef?.logic?.id
    if (root !== undefined && root !== machineId) continue
    const value =
      typeof snapshot.value === 'string' ? snapshot.value : Object.keys(snapshot.value ?? {})[0]
    if (value && values.at(-1) !== value) values.push(value)
  }
  return values
}

describe('inspection', () => {
  test('an observer sees both machines step through the negotiation', async () => {
    const clock = simulatedClock()
    const events: InspectionEvent[] = []
    net = network(clock)
    net.provider(0, 700n, { inspect: (event) => events.push(event) })
    const deal = await negotiate(
      { signer: consumer, send: net.send, clock, randomBytes, inspect: (e) => events.push(e) },
      { providers: [a], chainId, tool, constraints },
    )
    await deal.settle()
    expect(path(events, 'consumer')).toEqual([
      'soliciting',
      'evaluating',
      'negotiating',
      'funding',
      'active',
      'settling',
      'done',
    ])
    expect(path(events, 'provider')).toEqual([
      'quoting',
      'offered',
      'verifyingAccept',
      'countersigning',
      'serving',
    ])
  })

  test('`{ url }` streams to a Stately inspector server over WebSocket', async () => {
    const port = await freePort()
    const server = createInspectorServer({ port, autoOpen: false })
    const received: StatelyInspectionEvent[] = []
    try {
      const clock = simulatedClock()
      net = network(clock)
      net.provider(0, 700n)
      const deal = await negotiate(
        {
          signer: consumer,
          send: net.send,
          clock,
          randomBytes,
          inspect: { url: `ws://127.0.0.1:${port}` },
        },
        { providers: [a], chainId, tool, constraints },
      )
      // a browser-side receiver, as the inspector UI would be
      const receiver = createWebSocketReceiver({ server: `ws://127.0.0.1:${port}` })
      receiver.subscribe((event) => received.push(event))
      await expect
        .poll(
          () =>
            received.some(
              (e) =>
                e.type === '@xstate.snapshot' &&
                (e.snapshot as { value?: unknown }).value === 'active',
            ),
          {
            timeout: 10_000,
          },
        )
        .toBe(true)
      await deal.settle()
    } finally {
      server.stop()
    }
  })

  test('a plain observer needs no optional package', async () => {
    const observer = { next: () => {} }
    const inspection = await resolveInspect(observer)
    expect(inspection.inspect).toBe(observer)
    inspection.stop()
  })
})
