import type { IncomingMessage, ServerResponse } from 'node:http'
import { gotongTokenAbi } from '@gotong/contracts'
import { contentHash } from '@gotong/core'
import type { Tool } from '@gotong/tool'
import {
  decodePaymentRequiredHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
} from '@x402/core/http'
import {
  type FacilitatorClient,
  type HTTPRequestContext,
  x402HTTPResourceServer,
  x402ResourceServer,
} from '@x402/core/server'
import type { Network, PaymentRequirements } from '@x402/core/types'
import { ExactEvmScheme } from '@x402/evm/exact/server'
import type { Address, Hex, PublicClient, TypedDataDefinition } from 'viem'
import { gotongReceiptExtension } from '../consumer/settleAnswer.js'
import type { X402Ledger, X402PaymentKey } from '../ledger/types.js'
import { bazaarDeclaration, bazaarKey, type ToolSchemas } from './bazaarDeclaration.js'
import { Eip3009Payload } from './eip3009Payload.js'
import { X402ProviderError } from './errors.js'
import { keepRefusal } from './keepRefusal.js'
import { adapterOf, readBody, send } from './nodeHttp.js'
import { runTool } from './runTool.js'
import { signX402Receipt } from './signX402Receipt.js'
import { x402RequestHash } from './x402RequestHash.js'

/** One paid call through the x402 face, served or refused, once the payer is known. */
export type X402CallEvent = {
  caller: Address
  ok: boolean
  code?: string
  authorizationNonce: Hex
  transaction?: Hex
}

export type CreateX402ProviderParameters = {
  tool: Tool
  /** The JSON Schemas the manifest publishes, for the bazaar declaration. */
  schemas: ToolSchemas
  /** The face's absolute URL: the resource x402 clients pay for. */
  url: string
  /** Price per call in base units of `asset`. */
  price: bigint
  chainId: number
  /** The EIP-3009 token paid in (gUSD) and its EIP-712 domain's name and version. */
  asset: { address: Address; name: string; version: string }
  /** Who is paid: the provider. */
  payTo: Address
  facilitator: FacilitatorClient
  ledger: X402Ledger
  /** Reads `authorizationState` of the token. */
  publicClient: Pick<PublicClient, 'readContract'>
  /** Signs receipts: the provider's key. */
  signer: { address: Address; signTypedData(typedData: TypedDataDefinition): Promise<Hex> }
  /** The gotong EIP-712 domain's contract (PaymentChannels), as for channel receipts. */
  receiptContract: Address
  /** Handler time limit (default 30 s). */
  timeoutMs?: number
  /** How long an authorization must stay valid (default: the time limit plus 60 s). */
  maxTimeoutSeconds?: number
  /** Largest request body (default 1 MiB). */
  maxBodyBytes?: number
  /** Checks the payer against the tool's token gate; throws to refuse. */
  gate?: (caller: Address) => Promise<void>
  /** Milliseconds since the epoch, for the ledger and receipts. */
  now?: () => number
  onCall?: (event: X402CallEvent) => void
}

/** A tool's x402 face: the plain HTTP handler for its URL. */
export type X402Provider = {
  /** Answers one request at the tool's x402 URL. */
  handle(request: IncomingMessage, response: ServerResponse): void
  /** Serves later calls with a new definition of the tool and its published schemas. */
  update(tool: Tool, schemas: ToolSchemas): void
}

type Refusal = { status: number; code: string; message: string; data?: Record<string, unknown> }

/**
 * Serves a tool over x402 v2 (`exact`, EIP-3009 on gUSD) in gotong's order, not x402's
 * middleware's: a request without `PAYMENT-SIGNATURE` gets `402` and `PAYMENT-REQUIRED`; a paid
 * one is verified (the facilitator's `verify`), its authorization nonce reserved durably once
 * and for all (and checked unused on chain), its body parsed as the tool's input, the tool run
 * under its time limit and its output checked; only then is the payment settled, and the output
 * leaves only once settled, with `PAYMENT-RESPONSE` carrying the transaction and the provider's
 * signed `X402Receipt`. A failed call settles nothing; a failed settlement withholds the output.
 *
 * @example
 * const face = createX402Provider({ tool, schemas, url, price: 2_000n, chainId, asset, payTo,
 *   facilitator: createLocalFacilitator({ publicClient, walletClient, networks }), ledger,
 *   publicClient, signer, receiptContract: channels })
 * plainRoutes.set('/tools/word-count/x402', face.handle)
 */
export function createX402Provider(parameters: CreateX402ProviderParameters): X402Provider {
  const { price, payTo, ledger, chainId, asset } = parameters
  if (price <= 0n)
    throw new X402ProviderError('X402_PRICE_INVALID', 'An x402 face needs a price above zero.')
  let path: string
  try {
    const parsed = new URL(parameters.url)
    if (!/^https?:$/.test(parsed.protocol)) throw new TypeError(parsed.protocol)
    path = parsed.pathname
  } catch (cause) {
    throw new X402ProviderError('X402_URL_INVALID', 'An x402 face needs an http(s) URL.', {
      cause,
    })
  }
  const network: Network = `eip155:${chainId}`
  const now = parameters.now ?? Date.now
  const timeoutMs = parameters.timeoutMs ?? 30_000
  const maxBodyBytes = parameters.maxBodyBytes ?? 1024 * 1024
  const resourceServer = new x402ResourceServer(parameters.facilitator).register(
    network,
    new ExactEvmScheme(),
  )
  let tool = parameters.tool
  let schemasNow = parameters.schemas
  let http: x402HTTPResourceServer
  let ready: Promise<void> | undefined
  const configure = (schemas: ToolSchemas) => {
    http = new x402HTTPResourceServer(resourceServer, {
      [path]: {
        accepts: {
          scheme: 'exact',
          network,
          payTo,
          price: {
            amount: price.toString(),
            asset: asset.address,
            extra: { name: asset.name, version: asset.version },
          },
          maxTimeoutSeconds: parameters.maxTimeoutSeconds ?? Math.ceil(timeoutMs / 1_000) + 60,
        },
        resource: parameters.url,
        description: tool.description,
        mimeType: 'application/json',
        extensions: { [bazaarKey]: bazaarDeclaration(schemas) },
      },
    })
    ready = undefined
  }
  configure(parameters.schemas)
  // The facilitator's supported kinds are fetched on first use, and again after a failure.
  const initialized = () => {
    ready ??= http.initialize().catch((error: unknown) => {
      ready = undefined
      throw error
    })
    return ready
  }
  const report = (event: X402CallEvent) => parameters.onCall?.(event)
  const refuse = (response: ServerResponse, refusal: Refusal, headers = {}) =>
    send(response, refusal.status, headers, {
      error: { code: refusal.code, message: refusal.message, ...refusal.data },
    })
  // A 402 naming why a payment was refused, with the requirements to pay again.
  const paymentRefused = async (
    response: ServerResponse,
    requirements: PaymentRequirements,
    reason: string,
    message: string,
  ) => {
    const declared = { [bazaarKey]: bazaarDeclaration(schemasNow) }
    const required = await resourceServer.createPaymentRequiredResponse(
      [requirements],
      { url: parameters.url, description: tool.description, mimeType: 'application/json' },
      reason,
      declared,
    )
    refuse(
      response,
      { status: 402, code: reason.toUpperCase(), message },
      { 'PAYMENT-REQUIRED': encodePaymentRequiredHeader(required), 'Cache-Control': 'no-store' },
    )
  }

  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const adapter = adapterOf(request, parameters.url, path)
    const header = adapter.getHeader('payment-signature')
    if (header && request.method !== 'POST')
      return refuse(
        response,
        { status: 405, code: 'METHOD_NOT_ALLOWED', message: 'A paid call is a POST.' },
        { Allow: 'POST' },
      )
    // Read before any payment is looked at: the request hash binds the body, and a body too
    // large is refused before anything is verified or reserved.
    const body = header ? await readBody(request, maxBodyBytes) : ''
    if (body === undefined)
      return refuse(response, {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: `Requests are limited to ${maxBodyBytes} bytes. Nothing was charged.`,
      })
    try {
      await initialized()
    } catch {
      return refuse(response, {
        status: 503,
        code: 'FACILITATOR_UNAVAILABLE',
        message: 'The payment facilitator cannot be reached; try again later.',
      })
    }
    // This request keeps the definition it started with, whatever `update` does meanwhile.
    const server = http
    const current = tool
    const context: HTTPRequestContext = { adapter, path, method: request.method ?? 'GET' }
    const result = await server.processHTTPRequest(context)
    if (result.type === 'no-payment-required')
      return refuse(response, { status: 404, code: 'NOT_FOUND', message: 'No such resource.' })
    if (result.type === 'payment-error') {
      const required = result.response.headers['PAYMENT-REQUIRED']
      const kept =
        header && required
          ? keepRefusal({
              ledger,
              header,
              reason: decodePaymentRequiredHeader(required).error ?? '',
              resource: parameters.url,
              tool: current.name,
              now: now(),
            })
          : undefined
      if (kept)
        report({
          caller: kept.payer,
          ok: false,
          code: 'PAYMENT_INVALID',
          authorizationNonce: kept.authorizationNonce,
        })
      return send(response, result.response.status, result.response.headers, result.response.body)
    }
    const { paymentPayload, paymentRequirements } = result
    const payload = Eip3009Payload.safeParse(paymentPayload.payload)
    if (paymentPayload.x402Version !== 2 || !payload.success)
      return paymentRefused(
        response,
        paymentRequirements,
        'invalid_payload',
        'Only x402 v2 `exact` payments by EIP-3009 authorization are accepted.',
      )
    const { from: payer, nonce } = payload.data.authorization
    if (parameters.gate) {
      try {
        await parameters.gate(payer)
      } catch (error) {
        report({ caller: payer, ok: false, code: 'GATE_DENIED', authorizationNonce: nonce })
        return refuse(response, {
          status: 403,
          code: 'GATE_DENIED',
          message: `${(error as Error).message.split('\n')[0]} Nothing was charged.`,
        })
      }
    }
    let input: unknown
    try {
      input = JSON.parse(body)
    } catch {
      input = undefined
    }
    const requestHash =
      input === undefined
        ? undefined
        : x402RequestHash({ tool: current.name, authorizationNonce: nonce, input })
    const key: X402PaymentKey = { direction: 'earned', payer, authorizationNonce: nonce }
    const fail = (refusal: Refusal, headers?: Record<string, string>) => {
      ledger.fail(key, `${refusal.code}: ${refusal.message}`)
      report({ caller: payer, ok: false, code: refusal.code, authorizationNonce: nonce })
      refuse(response, refusal, headers)
    }
    // Durable before anything runs: this authorization pays for one call, here or nowhere.
    const reserved = ledger.reserve({
      ...key,
      payee: payTo,
      network,
      asset: asset.address,
      amount: price,
      resource: parameters.url,
      tool: current.name,
      requestHash,
      createdAt: now(),
    })
    if (!reserved) {
      report({ caller: payer, ok: false, code: 'AUTHORIZATION_USED', authorizationNonce: nonce })
      return paymentRefused(
        response,
        paymentRequirements,
        'authorization_used',
        'This authorization was already presented here; sign a new one.',
      )
    }
    try {
      const used = await parameters.publicClient.readContract({
        address: asset.address,
        abi: gotongTokenAbi,
        functionName: 'authorizationState',
        args: [payer, nonce],
      })
      if (used)
        return fail({
          status: 402,
          code: 'AUTHORIZATION_USED',
          message: 'This authorization was already used on chain; sign a new one.',
        })
      if (input === undefined)
        return fail({
          status: 400,
          code: 'INPUT_INVALID',
          message: 'The body is not JSON. Nothing was charged.',
        })
      const outcome = await runTool(
        current,
        input,
        { caller: payer, termsHash: contentHash(paymentRequirements) },
        timeoutMs,
      )
      if (!outcome.ok)
        return fail({ ...outcome, message: `${outcome.message} Nothing was charged.` })
      const settled = await server.processSettlement(
        paymentPayload,
        paymentRequirements,
        result.declaredExtensions,
        { request: context },
      )
      if (!settled.success)
        return fail(
          {
            status: 402,
            code: 'SETTLEMENT_FAILED',
            message: `The payment could not be settled (${settled.errorReason}), so the output is withheld. Nothing was charged.`,
          },
          { ...settled.headers, 'Cache-Control': 'no-store' },
        )
      const { headers: _, requirements: __, ...settlement } = settled
      const transaction = settlement.transaction as Hex
      const responseHash = contentHash(outcome.output)
      const receipt = {
        payer,
        authorizationNonce: nonce,
        amount: price,
        requestHash: requestHash as Hex,
        responseHash,
        transaction,
        servedAt: BigInt(Math.floor(now() / 1_000)),
      }
      const { signed, json } = await signX402Receipt(receipt, {
        signer: parameters.signer,
        chainId,
        verifyingContract: parameters.receiptContract,
      })
      ledger.settle(key, { transaction, receipt: signed, settledAt: now() })
      report({ caller: payer, ok: true, authorizationNonce: nonce, transaction })
      const paymentResponse = encodePaymentResponseHeader({
        ...settlement,
        extensions: { ...settlement.extensions, [gotongReceiptExtension]: json },
      })
      send(
        response,
        200,
        { 'PAYMENT-RESPONSE': paymentResponse, 'Cache-Control': 'private, no-store' },
        outcome.output,
      )
    } catch (error) {
      // The settlement's outcome is unknown (a facilitator timing out) or the chain could not be
      // read: the output is withheld; the ledger says why.
      fail({
        status: 502,
        code: 'SETTLEMENT_UNKNOWN',
        message: `The payment could not be completed (${(error as Error).message.split('\n')[0]}); the output is withheld.`,
      })
    }
  }

  return {
    handle(request, response) {
      serve(request, response).catch(() =>
        refuse(response, { status: 500, code: 'INTERNAL', message: 'The call failed.' }),
      )
    },
    update(next, schemas) {
      tool = next
      schemasNow = schemas
      configure(schemas)
    },
  }
}
