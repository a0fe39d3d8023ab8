// An x402 seller made of x402's own packages, for the consumer tests: `@x402/hono`'s payment
// middleware with x402's resource server and exact EVM server scheme, whose facilitator is x402's
// facilitator in a child process (facilitatorChild.ts), reached with `HTTPFacilitatorClient`.
// x402's servers answer v2 only, so the v1 route is written here from x402's v1 HTTP transport
// spec (402 with the requirements in the body, `X-PAYMENT`, `X-PAYMENT-RESPONSE`), verifying and
// settling through the same facilitator.
import { type ChildProcess, spawn } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { gotongTokenName } from '@gotong/chain'
import { serve } from '@hono/node-server'
import {
  decodePaymentSignatureHeader,
  encodePaymentResponseHeader,
  HTTPFacilitatorClient,
} from '@x402/core/http'
import { x402ResourceServer } from '@x402/core/server'
import type { PaymentPayload, PaymentRequirements } from '@x402/core/types'
import { ExactEvmScheme } from '@x402/evm/exact/server'
import { paymentMiddleware } from '@x402/hono'
import { Hono } from 'hono'
import type { Address, Hex } from 'viem'

export type SellerParameters = {
  rpcUrl: string
  chainId: number
  /** The facilitator's key: it sends the transfers and pays their gas. */
  facilitatorKey: Hex
  payTo: Address
  gUSD: Address
  /** An asset the consumer cannot price (another token's address). */
  otherAsset: Address
  price: bigint
}

/** The v1 name the facilitator child gives the devnet. */
export const v1Network = 'gotong-devnet'

const words = (text: string) => text.split(/\s+/).filter(Boolean).length

/** Starts the facilitator child and the seller; `seen` lists every request's payment headers. */
export async function startSeller(parameters: SellerParameters) {
  const { chainId, payTo, gUSD, price } = parameters
  const facilitator = await startFacilitator(parameters)
  const facilitatorClient = new HTTPFacilitatorClient({ url: facilitator.url })
  const network = `eip155:${chainId}` as const
  const extra = { name: gotongTokenName, version: '1' }
  const gusd = { amount: price.toString(), asset: gUSD, extra }
  const accepts = { scheme: 'exact', network, payTo, price: gusd }
  const seen: { path: string; signature: boolean; xPayment: boolean }[] = []
  let failHandler = false
  const app = new Hono()
  app.use(async (c, next) => {
    seen.push({
      path: new URL(c.req.url).pathname,
      signature: c.req.header('payment-signature') !== undefined,
      xPayment: c.req.header('x-payment') !== undefined,
    })
    await next()
  })
  app.use(
    paymentMiddleware(
      {
        'POST /word-count': { accepts, description: 'Counts the words of a text.' },
        'POST /flaky': { accepts, description: 'Fails when told to.' },
        'GET /other-token': {
          accepts: { ...accepts, price: { ...gusd, asset: parameters.otherAsset } },
        },
      },
      new x402ResourceServer(facilitatorClient).register(network, new ExactEvmScheme()),
    ),
  )
  app.post('/word-count', async (c) => c.json({ words: words((await c.req.json()).text) }))
  app.post('/flaky', (c) => (failHandler ? c.json({ error: 'broken' }, 500) : c.json({ ok: true })))
  app.get('/other-token', (c) => c.json({ ok: true }))
  app.post('/v1/word-count', async (c) => {
    const requirements = {
      scheme: 'exact',
      network: v1Network,
      maxAmountRequired: price.toString(),
      resource: c.req.url,
      description: 'Counts the words of a text (x402 v1).',
      mimeType: 'application/json',
      outputSchema: {},
      payTo,
      maxTimeoutSeconds: 60,
      asset: gUSD,
      extra,
    }
    const header = c.req.header('x-payment')
    const refuse = (error: string) =>
      c.json({ x402Version: 1, error, accepts: [requirements] }, 402)
    if (!header) return refuse('X-PAYMENT header is required')
    const payload = decodePaymentSignatureHeader(header)
    const asV2 = requirements as unknown as PaymentRequirements
    const verified = await facilitatorClient.verify(payload, asV2)
    if (!verified.isValid) return refuse(verified.invalidReason ?? 'invalid payment')
    const output = { words: words((await c.req.json()).text) }
    const settled = await facilitatorClient.settle(payload as PaymentPayload, asV2)
    if (!settled.success) return refuse(settled.errorReason ?? 'settlement failed')
    c.header('X-PAYMENT-RESPONSE', encodePaymentResponseHeader(settled))
    return c.json(output)
  })
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    failNext(fail: boolean) {
      failHandler = fail
    },
    async stop() {
      await new Promise((resolve) => server.close(resolve))
      await facilitator.stop()
    },
  }
}

async function startFacilitator(parameters: SellerParameters) {
  const script = fileURLToPath(new URL('./facilitatorChild.ts', import.meta.url))
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      script,
      parameters.rpcUrl,
      parameters.facilitatorKey,
      String(parameters.chainId),
      v1Network,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { url: string }).url)
    })
    child.once('exit', (code) => reject(new Error(`the facilitator exited with ${code}`)))
  })
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
