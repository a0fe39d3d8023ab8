import http from 'node:http'
import { typedDataSigner } from '@gotong/agent'
import { privateKeySigner } from '@gotong/payments'
import {
  createBus,
  createBusClient,
  createEnvelopeDigester,
  createHttpClient,
  createTransportServer,
  envelopeDomain,
  envelopeTypes,
  recoverSigner,
  recoveryBackend,
  type SignedRequest,
  signRequest,
  type TransportClient,
} from '@gotong/transport'
import { serveHttp } from '@gotong/transport/node'
import { type Hex, recoverTypedDataAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'
import { rate, type Suite, timeEach } from '../harness.js'

const provider = privateKeyToAccount(
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
)
const consumerKey = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const consumer = privateKeyToAccount(consumerKey)
const chainId = 31337
const body = { tool: 'weather', args: { city: 'Yogyakarta', days: 3 }, maxPrice: '50000' }
const Body = z.object({
  tool: z.string(),
  args: z.record(z.string(), z.unknown()),
  maxPrice: z.string(),
})

/**
 * Signed request round trips over loopback HTTP and over the in-process bus (client, server and
 * handler in this one process), first with a viem LocalAccount signing, then as an agent signs
 * (native secp256k1 over the transport's own digest, the floor under every paid call), and the
 * envelope crypto beside bare viem.
 */
export const transport: Suite = {
  name: 'transport',
  title: 'Transport: signed envelopes over HTTP and the bus',
  async run(ctx) {
    const runs = ctx.quick ? 30 : 500
    const batches = ctx.quick ? 2 : 5
    const concurrent = 32
    const perBatch = ctx.quick ? 64 : 1_024
    ctx.log(`secp256k1 recovery backend: ${recoveryBackend}`)

    const server = createTransportServer({
      address: provider.address,
      chainId,
      // Room for every nonce of the run: the figures measure work, not the replay bound.
      replayCapacity: 1_000_000,
    }).handle('call', Body, (request, { from }) => ({ from, tool: request.tool, ok: true }))
    const listener = await serveHttp(server)
    const bus = createBus()
    const onBus = bus.serve(server)
    const clients: Record<'HTTP' | 'bus', TransportClient> = {
      HTTP: createHttpClient({
        signer: consumer,
        chainId,
        peers: { [provider.address]: listener.url },
      }),
      bus: createBusClient({ bus, signer: consumer, chainId }),
    }

    const keepAlive = new http.Agent({ keepAlive: true })
    const presign = (n: number) =>
      Promise.all(
        Array.from({ length: n }, () =>
          signRequest(consumer, {
            chainId,
            to: provider.address,
            route: 'call',
            body,
            expiresAt: Date.now() + 50_000,
          }),
        ),
      )
    const sendSigned: Record<keyof typeof clients, (text: string) => Promise<number>> = {
      // node:http on a keep-alive connection, as createHttpClient sends in Node.
      HTTP: (text) =>
        new Promise((resolve, reject) => {
          const request = http.request(`${listener.url}/call`, {
            method: 'POST',
            agent: keepAlive,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(text),
            },
          })
          request.on('response', (response) => {
            response.resume()
            response.on('end', () => resolve(response.statusCode ?? 0))
          })
          request.on('error', reject)
          request.end(text)
        }),
      async bus(text) {
        const signal = new AbortController().signal
        return (await bus.send({ to: provider.address, route: 'call', text, signal })).status
      },
    }

    try {
      for (const [name, client] of Object.entries(clients) as [
        keyof typeof clients,
        TransportClient,
      ][]) {
        const call = () => client.request(provider.address, 'call', body)
        ctx.record({
          name: `${name} round trip, 1 caller`,
          unit: 'ms',
          samples: await timeEach(runs, call),
          target: { max: name === 'HTTP' ? 5 : 2 },
          note: 'sign + send + verify + handle + reply; p99 in its column',
        })
        const texts = (await presign(runs + 10)).map((request) => JSON.stringify(request))
        let next = 0
        ctx.record({
          name: `${name} round trip, signed beforehand`,
          unit: 'ms',
          samples: await timeEach(runs, async () => {
            const status = await sendSigned[name](texts[next++]!)
            if (status !== 200) throw new Error(`request refused with ${status}`)
          }),
          note: `the same without the caller’s signing: the wire${name === 'HTTP' ? ' (node:http, kept alive)' : ''} and the server’s checks`,
        })
        const rates: number[] = []
        await rate(concurrent, () => Promise.all(Array.from({ length: concurrent }, call)))
        for (let b = 0; b < batches; b++)
          rates.push(
            await rate(perBatch, () =>
              Promise.all(
                Array.from({ length: concurrent }, async () => {
                  for (let i = 0; i < perBatch / concurrent; i++) await call()
                }),
              ),
            ),
          )
        ctx.record({
          name: `${name} requests/s, ${concurrent} callers`,
          unit: 'req/s',
          samples: rates,
          target: { min: name === 'HTTP' ? 400 : 1_000 },
          note: 'callers and server share this process, so the callers’ signing counts too',
        })
      }

      // As an agent calls: its signer (typedDataSigner over privateKeySigner), calls per second
      // at 1 and 32 callers, and the CPU each call costs this process (client and server both).
      const agentSigner = typedDataSigner(privateKeySigner(consumerKey))
      const agentPaths = {
        'HTTP (node:http client)': createHttpClient({
          signer: agentSigner,
          chainId,
          peers: { [provider.address]: listener.url },
        }),
        'HTTP (fetch client)': createHttpClient({
          signer: agentSigner,
          chainId,
          peers: { [provider.address]: listener.url },
          fetch: globalThis.fetch,
        }),
        bus: createBusClient({ bus, signer: agentSigner, chainId }),
      }
      const callers = ctx.quick ? 1 : 3
      for (const [name, client] of Object.entries(agentPaths)) {
        const call = () => client.request(provider.address, 'call', body)
        const serial: number[] = []
        const loaded: number[] = []
        const cpu: number[] = []
        for (let round = 0; round < callers; round++) {
          const samples = await timeEach(runs, call)
          serial.push(1_000 / (samples.reduce((sum, x) => sum + x, 0) / samples.length))
          const used = process.cpuUsage()
          loaded.push(
            await rate(perBatch, () =>
              Promise.all(
                Array.from({ length: concurrent }, async () => {
                  for (let i = 0; i < perBatch / concurrent; i++) await call()
                }),
              ),
            ),
          )
          const spent = process.cpuUsage(used)
          cpu.push((spent.user + spent.system) / perBatch)
        }
        ctx.log(
          `agent signer, ${name}: ${serial.map(Math.round).join('/')} calls/s at 1 caller, ${loaded.map(Math.round).join('/')} at ${concurrent}, ${cpu.map(Math.round).join('/')} µs CPU per call`,
        )
        const main = name === 'HTTP (node:http client)'
        ctx.record({
          name: `agent signer, ${name} calls/s, 1 caller`,
          unit: 'calls/s',
          samples: serial,
          note: 'sign + send + verify + handle + reply, one after another',
        })
        ctx.record({
          name: `agent signer, ${name} calls/s, ${concurrent} callers`,
          unit: 'calls/s',
          samples: loaded,
          note: main
            ? 'what createHttpClient does in Node, client and server in this one process; every paid call rides on this (paidCall puts the server in its own process)'
            : name === 'bus'
              ? 'no network: signing, checks and handler alone'
              : 'the same server, sent with Node’s fetch (browsers, or a fetch passed in)',
        })
        ctx.record({
          name: `agent signer, ${name} CPU per call, ${concurrent} callers`,
          unit: 'µs',
          samples: cpu,
          note: 'process CPU time (client and server) per call: steadier than calls/s on a busy machine',
        })
      }
    } finally {
      keepAlive.destroy()
      await onBus.close()
      await listener.close()
    }

    // The crypto, side by side in this run.
    const count = ctx.quick ? 40 : 1_000
    const typed = (request: SignedRequest) => ({
      domain: envelopeDomain(chainId),
      types: envelopeTypes,
      primaryType: 'Envelope' as const,
      message: {
        from: request.envelope.from,
        to: request.envelope.to,
        route: request.envelope.route,
        nonce: request.envelope.nonce,
        expiresAt: BigInt(request.envelope.expiresAt),
        bodyHash: request.envelope.bodyHash,
        idempotencyKey: '',
      },
    })
    const parameters = {
      chainId,
      to: provider.address,
      route: 'call',
      body,
      expiresAt: Date.now() + 60_000,
    }
    const requests: SignedRequest[] = []
    const signRates: number[] = []
    const viemSignRates: number[] = []
    for (let b = 0; b < batches; b++) {
      signRates.push(
        await rate(count, async () => {
          for (let i = 0; i < count; i++) requests.push(await signRequest(consumer, parameters))
        }),
      )
      viemSignRates.push(
        await rate(count, async () => {
          for (let i = 0; i < count; i++)
            await consumer.signTypedData(typed(requests[i % requests.length]!))
        }),
      )
    }
    ctx.record({
      name: 'envelope sign (body hash + EIP-712)',
      unit: 'ops/s',
      samples: signRates,
      note: 'viem LocalAccount as the Signer',
    })
    ctx.record({ name: 'viem signTypedData (same type)', unit: 'ops/s', samples: viemSignRates })

    const digester = createEnvelopeDigester(chainId)
    const verifyRates: number[] = []
    const viemVerifyRates: number[] = []
    const receiveRates: number[] = []
    for (let b = 0; b < batches; b++) {
      verifyRates.push(
        await rate(requests.length, async () => {
          for (const request of requests)
            if (
              (await recoverSigner(digester.digest(request.envelope), request.signature as Hex)) ===
              undefined
            )
              throw new Error('recovery failed')
        }),
      )
      const viemCount = Math.min(requests.length, ctx.quick ? 20 : 300)
      viemVerifyRates.push(
        await rate(viemCount, async () => {
          for (const request of requests.slice(0, viemCount))
            await recoverTypedDataAddress({
              ...typed(request),
              signature: request.signature as Hex,
            })
        }),
      )
      // Every check a server makes, without a network: parse, hash, recover, replay, handle.
      const fresh = createTransportServer({ address: provider.address, chainId }).handle(
        'call',
        Body,
        () => true,
      )
      const texts = requests.map((request) => JSON.stringify(request))
      receiveRates.push(
        await rate(texts.length, async () => {
          for (const text of texts)
            if ((await fresh.receive(text)).status !== 200) throw new Error('request refused')
        }),
      )
    }
    ctx.record({
      name: 'envelope verify (digest + recover)',
      unit: 'ops/s',
      samples: verifyRates,
      target: { min: 5_000 },
      note: `precomputed domain; ${recoveryBackend}`,
    })
    ctx.record({
      name: 'viem recoverTypedDataAddress (same type)',
      unit: 'ops/s',
      samples: viemVerifyRates,
    })
    ctx.record({
      name: 'server receive, all checks, no network',
      unit: 'req/s',
      samples: receiveRates,
      note: 'JSON + zod + body hash + recovery + replay cache + handler',
    })
  },
}
