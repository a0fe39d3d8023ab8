import { typedDataSigner, verifyAgreementFast } from '@gotong/agent'
import { ConsumerMessage } from '@gotong/core'
import {
  createResponder,
  type NegotiationClient,
  negotiate,
  pricingPolicy,
  type Responder,
} from '@gotong/negotiation'
import { privateKeySigner } from '@gotong/payments'
import { createHttpClient, createTransportServer } from '@gotong/transport'
import { type HttpListener, serveHttp } from '@gotong/transport/node'
import type { Address } from 'viem'
import { keccak256, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { rate, type Suite, timeEach } from '../harness.js'

const chainId = 31337
const registry: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const channels: Address = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512'
const token: Address = '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0'
const tool = { registry, toolId: 1n, manifestHash: keccak256(toHex('weather v1')) }
const constraints = { maxPricePerCall: 10_000n, calls: 1_000n }

const consumerKey = keccak256(toHex('gotong bench consumer'))
const consumer = privateKeyToAccount(consumerKey)
/** What an agent signs and verifies with: native secp256k1 over viem's EIP-712 digests. */
const fastConsumer = typedDataSigner(privateKeySigner(consumerKey))

/** `count` providers, each a responder with its own key and a different list price. */
function providers(count: number, fast = false): Map<string, Responder> {
  const responders = new Map<string, Responder>()
  for (let i = 0; i < count; i++) {
    const key = keccak256(toHex(`gotong bench provider ${i}`))
    const signer = fast ? typedDataSigner(privateKeySigner(key)) : privateKeyToAccount(key)
    const responder = createResponder({
      ...(fast ? { verify: verifyAgreementFast } : {}),
      signer,
      chainId,
      tool,
      channel: { contract: channels, minDeposit: 1_000_000n },
      service: { token, p95LatencyMs: 200 + i, callsPerMinute: 600 },
      pricing: pricingPolicy(1_000n + BigInt((i * 7_919) % 5_000)),
    })
    responders.set(signer.address, responder)
  }
  return responders
}

/** The in-process bus: a message goes straight to the responder's handler. */
function client(responders: Map<string, Responder>): NegotiationClient {
  return {
    signer: consumer,
    send: async (to, message) => responders.get(to)!.handle(message),
  }
}

/**
 * The same responders behind loopback HTTP, one server each: every message travels in a
 * transport envelope (EIP-712 signed, checked, replay-protected) as it would between hosts.
 */
async function overHttp(responders: Map<string, Responder>, fast = false) {
  const peers: Record<string, string> = {}
  const listeners: HttpListener[] = []
  for (const [address, responder] of responders) {
    const server = createTransportServer({ address: address as Address, chainId }).handle(
      'negotiate',
      ConsumerMessage,
      (message, { from }) => responder.handle(message, { from }),
    )
    const listener = await serveHttp(server)
    peers[address] = listener.url
    listeners.push(listener)
  }
  const signer = fast ? fastConsumer : consumer
  const http = createHttpClient({ signer, chainId, peers })
  return {
    client: {
      signer,
      send: (to, message, { signal }) =>
        http.request(to as Address, 'negotiate', message, { signal }),
    } satisfies NegotiationClient,
    close: () => Promise.all(listeners.map((listener) => listener.close())),
  }
}

/**
 * Full negotiations, in-process: a call for proposals to N providers, ranking, accept with a
 * real EIP-712 signature, countersignature, both verified. No timers are waited on.
 */
export const negotiation: Suite = {
  name: 'negotiation',
  title: 'Negotiation: time to agreement and concurrent negotiations (in-process)',
  async run(ctx) {
    const note = 'in-process; 2 signatures + 2 recoveries (viem)'
    for (const count of [1, 10, 50]) {
      const responders = providers(count)
      const targets = [...responders.keys()]
      const runs = ctx.quick ? 3 : count === 50 ? 50 : 200
      const samples = await timeEach(
        runs,
        async () => {
          const deal = await negotiate(client(responders), {
            providers: targets,
            chainId,
            tool,
            constraints,
          })
          await deal.settle()
        },
        ctx.quick ? 1 : 10,
      )
      ctx.record({
        name: `time to agreement, ${count} provider${count === 1 ? '' : 's'}`,
        unit: 'ms',
        samples,
        note,
      })
      for (const responder of responders.values()) responder.stop()
    }

    for (const fast of [false, true]) {
      const remote = providers(10, fast)
      const http = await overHttp(remote, fast)
      const httpSamples = await timeEach(
        ctx.quick ? 3 : 100,
        async () => {
          const deal = await negotiate(http.client, {
            providers: [...remote.keys()],
            chainId,
            tool,
            constraints,
            ...(fast ? { verify: verifyAgreementFast } : {}),
          })
          await deal.settle()
        },
        ctx.quick ? 1 : 10,
      )
      ctx.record({
        name: `time to agreement, 10 providers, loopback HTTP, ${fast ? 'native signing (as agents run)' : 'viem signing'}`,
        unit: 'ms',
        samples: httpSamples,
        ...(fast ? { target: { max: 30 } } : {}),
        note: 'a server per provider; signed envelopes',
      })
      await http.close()
      for (const responder of remote.values()) responder.stop()
    }

    const concurrent = ctx.quick ? 50 : 1_000
    const perNegotiation = 3
    const pool = providers(10)
    const targets = [...pool.keys()]
    const rates: number[] = []
    for (let batch = 0; batch < (ctx.quick ? 1 : 3); batch++) {
      rates.push(
        await rate(concurrent, () =>
          Promise.all(
            Array.from({ length: concurrent }, async (_, i) => {
              const asked = Array.from(
                { length: perNegotiation },
                (_, k) => targets[(i + k) % targets.length]!,
              )
              const deal = await negotiate(client(pool), {
                providers: asked,
                chainId,
                tool,
                constraints,
              })
              await deal.settle()
            }),
          ),
        ),
      )
      ctx.log(`batch ${batch + 1}: ${Math.round(rates.at(-1)!)} negotiations/s`)
    }
    ctx.record({
      name: `${concurrent} concurrent negotiations`,
      unit: 'negotiations/s',
      samples: rates,
      note: `${perNegotiation} of 10 providers each; one process`,
    })
    for (const responder of pool.values()) responder.stop()
  },
}
