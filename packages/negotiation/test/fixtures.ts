import { bigintReplacer, type ConsumerMessage, type ProviderMessage } from '@gotong/core'
import { type Address, type Hex, keccak256, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { SimulatedClock } from 'xstate'
import {
  type CreateResponderParameters,
  createResponder,
  pricingPolicy,
  type Responder,
  type Send,
} from '../src/index.js'

// anvil's well-known test keys: consumer first, then providers
const keys: Hex[] = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
]
export const consumer = privateKeyToAccount(keys[0]!)
export const providerAccounts = keys.slice(1).map((key) => privateKeyToAccount(key))

export const chainId = 31337
export const registry: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
export const channels: Address = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512'
export const token: Address = '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0'
export const tool = { registry, toolId: 1n, manifestHash: keccak256(toHex('weather v1')) } as const

/** 2025-11-25T12:00:00Z: a realistic wall-clock start for the simulated clock. */
export const start = 1_764_072_000_000

export function simulatedClock(at = start): SimulatedClock {
  const clock = new SimulatedClock()
  clock.set(at)
  return clock
}

let counter = 0
/** Distinct, deterministic cfp ids. */
export const randomBytes = () => {
  counter += 1
  const bytes = new Uint8Array(32)
  new DataView(bytes.buffer).setUint32(28, counter)
  return bytes
}

/** Everything one test's network saw: messages in order, as the wire carried them. */
export type WireLog = Array<{ to: string; message: ConsumerMessage; reply?: ProviderMessage }>

/**
 * An in-process network: each message and reply goes through JSON (bigints as decimal
 * strings), as over HTTP, so the tests exercise the wire forms. Providers can be taken down
 * (`down`), made to hang (`hold`) or replaced by a hand-written handler (`override`).
 */
export function network(clock: SimulatedClock) {
  const responders = new Map<string, Responder>()
  const down = new Set<string>()
  const held = new Map<string, Array<() => void>>()
  const hold = new Set<string>()
  const overrides = new Map<
    string,
    (message: ConsumerMessage, next: (m: unknown) => Promise<ProviderMessage>) => Promise<unknown>
  >()
  const log: WireLog = []
  const wire = (value: unknown) => JSON.parse(JSON.stringify(value, bigintReplacer))

  const send: Send = async (to, message) => {
    const entry: WireLog[number] = { to, message }
    log.push(entry)
    if (hold.has(to))
      await new Promise<void>((release) => held.set(to, [...(held.get(to) ?? []), release]))
    if (down.has(to)) throw new Error(`connect ECONNREFUSED ${to}`)
    const responder = responders.get(to)
    if (!responder) throw new Error(`no route to ${to}`)
    const next = async (m: unknown) => responder.handle(wire(m), { from: consumer.address })
    const override = overrides.get(to)
    const reply = wire(override ? await override(message, next) : await next(message))
    entry.reply = reply
    return reply
  }

  return {
    send,
    log,
    responders,
    down,
    hold,
    overrides,
    /** Lets held messages to `to` through. */
    release(to: string) {
      hold.delete(to)
      for (const release of held.get(to) ?? []) release()
      held.delete(to)
    },
    provider(
      index: number,
      price: bigint,
      options: Partial<CreateResponderParameters> = {},
    ): Responder {
      const signer = providerAccounts[index]!
      const responder = createResponder({
        signer,
        chainId,
        tool,
        capabilities: ['weather'],
        channel: { contract: channels, minDeposit: 1_000_000n },
        service: { token, p95LatencyMs: 300, callsPerMinute: 600 },
        pricing: pricingPolicy(price),
        clock,
        ...options,
      })
      responders.set(signer.address, responder)
      return responder
    },
    stop() {
      for (const responder of responders.values()) responder.stop()
    },
  }
}

/** Lets queued promise callbacks and zero-delay work run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve))
