import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClients, gotongTokenName } from '@gotong/chain'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { gotongTokenAbi } from '@gotong/contracts'
import { defineTool, type Tool } from '@gotong/tool'
import { x402Client } from '@x402/core/client'
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@x402/core/http'
import type { FacilitatorClient } from '@x402/core/server'
import type { PaymentPayload, PaymentRequirements } from '@x402/core/types'
import { authorizationTypes } from '@x402/evm'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { wrapFetchWithPayment } from '@x402/fetch'
import { type Address, type Hex, type LocalAccount, type PublicClient, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'
import { createLocalFacilitator, type X402Ledger } from '../src/index.js'
import {
  createSqliteX402Ledger,
  createX402Provider,
  type X402CallEvent,
  type X402Provider,
} from '../src/node.js'

/** A tool that counts its runs; `hold()` makes the next run wait until released. */
export function countedTool(name: string) {
  let runs = 0
  let gate: Promise<void> | undefined
  let started: () => void = () => {}
  const tool = defineTool({
    name,
    description: `Counts the words of a text (${name}).`,
    input: z.object({ text: z.string().max(1_000) }),
    output: z.object({ words: z.number().int() }),
    handler: async ({ text }) => {
      runs++
      if (text === 'fail') throw new TypeError('boom')
      if (gate) {
        started()
        await gate
      }
      return { words: text.split(/\s+/).filter(Boolean).length }
    },
  })
  return {
    tool,
    runs: () => runs,
    /** The next run waits: `started` resolves once it runs, `release()` lets it finish. */
    hold() {
      let release: () => void = () => {}
      gate = new Promise<void>((resolve) => (release = resolve))
      const running = new Promise<void>((resolve) => (started = resolve))
      return {
        started: running,
        release: () => {
          gate = undefined
          release()
        },
      }
    },
  }
}

/** The manifest's JSON Schemas of a tool, as `buildManifest` writes them. */
export function schemasOf(tool: Tool) {
  const json = (schema: z.ZodType) => {
    const { $schema: _, ...rest } = z.toJSONSchema(schema, {
      io: 'input',
      unrepresentable: 'any',
    }) as Record<string, unknown>
    return rest
  }
  return { input: json(tool.input), output: json(tool.output) }
}

/** A devnet, a provider (account 1) serving x402 faces on one HTTP server, and payers. */
export async function providerSetup() {
  const devnet: Devnet = await startDevnet({ accounts: 6 })
  const dir = mkdtempSync(join(tmpdir(), 'gotong-x402-provider-'))
  const { contracts } = devnet.deployments!
  const providerKey = devnet.accounts[1]!.privateKey
  const provider = privateKeyToAccount(providerKey)
  const { walletClient } = createClients({
    rpcUrl: devnet.rpcUrl,
    chainId: devnet.chainId,
    privateKey: providerKey,
  })
  const publicClient = devnet.publicClient as PublicClient
  const network = `eip155:${devnet.chainId}` as const
  const local = createLocalFacilitator({
    publicClient,
    walletClient: walletClient!,
    networks: [network],
  })
  const routes = new Map<string, X402Provider>()
  const server: Server = createServer((request, response) => {
    const face = routes.get((request.url ?? '/').split('?')[0]!)
    if (face) face.handle(request, response)
    else response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const ledgers: X402Ledger[] = []
  const services: Server[] = []
  let n = 0
  return {
    devnet,
    contracts,
    provider: provider.address,
    publicClient,
    facilitator: local,
    /** Serves a tool's x402 face at `/tools/<name>/x402`; calls are reported to `events`. */
    serve(
      tool: Tool,
      options: {
        price?: bigint
        ledger?: X402Ledger
        facilitator?: FacilitatorClient
        timeoutMs?: number
      } = {},
    ) {
      const ledger = options.ledger ?? createSqliteX402Ledger(join(dir, `x402-${n++}.sqlite`))
      ledgers.push(ledger)
      const path = `/tools/${tool.name}/x402`
      const events: X402CallEvent[] = []
      const face = createX402Provider({
        tool,
        schemas: schemasOf(tool),
        url: `${base}${path}`,
        price: options.price ?? 2_000n,
        chainId: devnet.chainId,
        asset: { address: contracts.gotongToken, name: gotongTokenName, version: '1' },
        payTo: provider.address,
        facilitator: options.facilitator ?? local,
        ledger,
        publicClient,
        signer: provider,
        receiptContract: contracts.paymentChannels,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        onCall: (event) => events.push(event),
      })
      routes.set(path, face)
      return { url: `${base}${path}`, ledger, events }
    },
    /** Account `index`'s key and a fetch that pays with x402's own client and exact scheme. */
    payer(index: number) {
      const account: LocalAccount = privateKeyToAccount(devnet.accounts[index]!.privateKey)
      // x402 clients pay only tokens they know unless told otherwise: gUSD is opted in.
      const client = x402Client.fromConfig({
        schemes: [{ network, client: new ExactEvmScheme(account) }],
        spendControls: {
          allowedAssets: [
            { network, asset: contracts.gotongToken, maxAmountPerPayment: '1000000' },
          ],
        },
      })
      return { account, client, fetch: wrapFetchWithPayment(fetch, client) }
    },
    balance: (who: Address) =>
      publicClient.readContract({
        address: contracts.gotongToken,
        abi: gotongTokenAbi,
        functionName: 'balanceOf',
        args: [who],
      }),
    authorizationUsed: (payer: Address, nonce: Hex) =>
      publicClient.readContract({
        address: contracts.gotongToken,
        abi: gotongTokenAbi,
        functionName: 'authorizationState',
        args: [payer, nonce],
      }),
    /**
     * An x402 facilitator service over HTTP (x402's facilitator code behind `/verify`,
     * `/settle` and `/supported`), settling with account `index`'s wallet.
     */
    async facilitatorService(index: number) {
      const { walletClient: wallet } = createClients({
        rpcUrl: devnet.rpcUrl,
        chainId: devnet.chainId,
        privateKey: devnet.accounts[index]!.privateKey,
      })
      const facilitator = createLocalFacilitator({
        publicClient,
        walletClient: wallet!,
        networks: [network],
      })
      const service = createServer(async (request, response) => {
        const chunks: Buffer[] = []
        for await (const chunk of request) chunks.push(chunk as Buffer)
        const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}
        const answer =
          request.url === '/supported'
            ? await facilitator.getSupported()
            : request.url === '/verify'
              ? await facilitator.verify(body.paymentPayload, body.paymentRequirements)
              : await facilitator.settle(body.paymentPayload, body.paymentRequirements)
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer))
      })
      await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve))
      services.push(service)
      return `http://127.0.0.1:${(service.address() as AddressInfo).port}`
    },
    async stop() {
      for (const service of [server, ...services])
        await new Promise((resolve) => service.close(resolve))
      for (const ledger of ledgers) ledger.close()
      await devnet.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type ProviderSetup = Awaited<ReturnType<typeof providerSetup>>

/** A POST of a JSON body. */
export function post(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  }
}

/** What the x402 face at `url` asks to be paid (its one `accepts` entry). */
export async function requirementsOf(url: string): Promise<PaymentRequirements> {
  const response = await fetch(url)
  return decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!).accepts[0]!
}

/**
 * A `PAYMENT-SIGNATURE` header signed by hand: an EIP-3009 authorization for `accepted`, with
 * any field overridden, signed under the domain of `signedFor` (the accepted asset by default).
 */
export async function authorize(
  account: LocalAccount,
  accepted: PaymentRequirements,
  overrides: Partial<{
    to: Address
    value: bigint
    validAfter: bigint
    validBefore: bigint
    nonce: Hex
  }> = {},
  signedFor: Address = accepted.asset as Address,
): Promise<{ header: string; nonce: Hex }> {
  const now = BigInt(Math.floor(Date.now() / 1_000))
  const authorization = {
    from: account.address,
    to: accepted.payTo as Address,
    value: BigInt(accepted.amount),
    validAfter: now - 600n,
    validBefore: now + BigInt(accepted.maxTimeoutSeconds),
    nonce: toHex(randomBytes(32)),
    ...overrides,
  }
  const signature = await account.signTypedData({
    domain: { name: gotongTokenName, version: '1', chainId: 31337, verifyingContract: signedFor },
    types: authorizationTypes,
    primaryType: 'TransferWithAuthorization',
    message: authorization,
  })
  const payload: PaymentPayload = {
    x402Version: 2,
    accepted,
    payload: {
      signature,
      authorization: {
        ...authorization,
        value: authorization.value.toString(),
        validAfter: authorization.validAfter.toString(),
        validBefore: authorization.validBefore.toString(),
      },
    },
  }
  return { header: encodePaymentSignatureHeader(payload), nonce: authorization.nonce }
}
