/**
 * One replica of a paid tool, in its own process as a provider runs: the payee on the shared
 * PostgreSQL ledger behind a plain HTTP route, so replicas (and nginx in front of them) are
 * what is measured and tested. Routes: `POST /fund` binds a channel, `POST /call` serves one
 * paid call (doubles `input.n`), `POST /settle` runs the settler (only the leading replica
 * claims). Prints `READY {"port":…}` once listening. With `dieAfter`, kills itself with SIGKILL
 * right after accepting that many vouchers, before the tool runs, and says which voucher first.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createClients } from '@gotong/chain'
import { bigintReplacer } from '@gotong/core'
import { ChannelKey, privateKeySigner, VoucherRejectedError } from '@gotong/payments'
import { createChannelReader, createPayee, createSettler } from '@gotong/payments/payee'
import { createPgPayeeStore } from '@gotong/payments/pg'
import { type Address, type Hex, keccak256, toHex } from 'viem'

export type ReplicaConfig = {
  url: string
  schema: string
  rpcUrl: string
  chainId: number
  channels: Address
  privateKey: Hex
  dieAfter?: number
}

const config = JSON.parse(process.argv[2]!) as ReplicaConfig
const { publicClient, walletClient } = createClients({
  rpcUrl: config.rpcUrl,
  chainId: config.chainId,
  privateKey: config.privateKey,
})
const store = await createPgPayeeStore({ url: config.url, schema: config.schema })
const payee = createPayee({
  store,
  signer: privateKeySigner(config.privateKey),
  chainId: config.chainId,
  channels: config.channels,
  readChannel: createChannelReader(publicClient, config.channels),
})
const settler = createSettler({
  payee,
  store,
  wallet: walletClient!,
  publicClient,
  channels: config.channels,
  policy: { minAmount: 1n },
})
await payee.recover()
let accepted = 0

const send = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body, bigintReplacer)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

const readJson = async (req: IncomingMessage) => {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

const routes: Record<string, (body: never) => Promise<[number, unknown]>> = {
  async '/fund'(body: {
    key: unknown
    consumer: Address
    token: Address
    price: string
    termsHash: Hex
  }) {
    const channel = await payee.acceptChannel({
      key: ChannelKey.parse(body.key),
      agreement: {
        consumer: body.consumer,
        token: body.token,
        pricePerCall: BigInt(body.price),
        maxCalls: 0n,
        validUntil: 0n,
      },
      termsHash: body.termsHash,
    })
    return [200, { channelId: channel.channelId }]
  },
  async '/call'(body: { payment: unknown; requestHash: Hex; input: { n: number } }) {
    let ticket: Awaited<ReturnType<typeof payee.acceptVoucher>>
    try {
      ticket = await payee.acceptVoucher(body.payment, { requestHash: body.requestHash })
    } catch (error) {
      if (!(error instanceof VoucherRejectedError)) throw error
      const first =
        error.code === 'VOUCHER_REPLAYED'
          ? await payee.answered(body.payment, body.requestHash)
          : undefined
      if (first)
        return [200, { output: first.response, receipt: first.receipt, replica: process.pid }]
      return [409, { code: error.code }]
    }
    if (++accepted === config.dieAfter) {
      process.stdout.write(
        `DYING ${JSON.stringify({ channelId: ticket.voucher.channelId, calls: ticket.voucher.calls }, bigintReplacer)}\n`,
        () => process.kill(process.pid, 'SIGKILL'),
      )
      return await new Promise<never>(() => undefined)
    }
    const output = { doubled: body.input.n * 2 }
    const receipt = await ticket.commit({
      responseHash: keccak256(toHex(JSON.stringify(output))),
      response: output,
    })
    return [200, { output, receipt, replica: process.pid }]
  },
  async '/settle'() {
    return [200, { claims: await settler.settle() }]
  },
}

const server = createServer((req, res) => {
  const route = routes[req.url ?? '']
  if (!route || req.method !== 'POST') return send(res, 404, { code: 'NOT_FOUND' })
  readJson(req)
    .then((body) => route(body as never))
    .then(([status, body]) => send(res, status, body))
    .catch((error: unknown) => send(res, 500, { code: 'INTERNAL', message: String(error) }))
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number }
  process.stdout.write(`READY ${JSON.stringify({ port })}\n`)
})
process.on('SIGTERM', () => {
  server.close()
  void store.close().finally(() => process.exit(0))
})
