import { Bytes32, contentHash, type SignedAgreement, WireError } from '@gotong/core'
import { createResponder, type PricingPolicy, type Signer, systemClock } from '@gotong/negotiation'
import { ChannelKey, VoucherRejectedError } from '@gotong/payments'
import type { Payee, VerifiedPayment } from '@gotong/payments/payee'
import type { PgAgreementStore } from '@gotong/payments/pg'
import type { TransportServer } from '@gotong/transport'
import type { Address, Hex, LocalAccount } from 'viem'
import { z } from 'zod'
import { inputIssues, isToolInputError, type Tool } from '../tool/defineTool.js'
import { verifyAgreementFast } from '../typedSigner.js'
import { sharedNegotiation } from './sharedNegotiation.js'

/** What a consumer sends with a paid call. */
export const CallRequest = z.strictObject({
  termsHash: Bytes32,
  input: z.unknown(),
  payment: z.unknown(),
})

/** What a paid call answers: the output and the payee-signed receipt, as JSON. */
export type CallAnswer = { output: unknown; receipt: unknown }

/** What it sends to bind a funded channel to an agreement. */
export const FundRequest = z.strictObject({ termsHash: Bytes32, key: ChannelKey })

export type HostToolParameters = {
  server: TransportServer
  /** `tools/<slug>`: the routes are `<base>/negotiate`, `<base>/fund` and `<base>/call`. */
  routeBase: string
  tool: Tool
  account: LocalAccount
  /** Signs agreements (the account by default; the agent passes its native signer). */
  signer?: Signer
  chainId: number
  directory: Address
  toolId: bigint
  manifestHash: Hex
  channels: Address
  token: Address
  pricing: PricingPolicy
  minDeposit: bigint
  maxCalls?: bigint
  p95LatencyMs?: number
  callsPerMinute?: number
  timeoutMs: number
  payee: Payee
  gate: ((toolId: bigint, caller: Address) => Promise<void>) | undefined
  /** Agreements made before a restart, still in force. */
  agreements?: readonly SignedAgreement[]
  /**
   * The provider's shared ledger (replicas behind one endpoint): negotiations and agreements
   * live there, so any replica answers any message and serves calls under any agreement.
   */
  shared?: PgAgreementStore
  /** Every new agreement, to persist it. */
  onAgreement?: (agreement: SignedAgreement) => void
  /** Milliseconds since the epoch (offers' expiry, agreements' validity); injected in tests. */
  now?: () => number
  /** Called for every call served or refused, for live views and ledgers. */
  onCall?: (event: { caller: Address; termsHash: Hex; ok: boolean; code?: string }) => void
}

/**
 * Hosts one tool on an agent's transport server. A call passes, in order: the envelope (checked
 * by the transport), the gate, the agreement, the voucher (accepted durably), the input schema,
 * the handler under a timeout, the output schema, and only then the signed receipt. Anything
 * failing after the voucher was accepted rolls it back: the caller is not charged.
 */
export function hostTool(parameters: HostToolParameters) {
  const { server, routeBase, payee, gate, toolId } = parameters
  // Replaced by `setTool` when a new version is published: later calls use its schemas.
  let tool = parameters.tool
  const agreements = new Map<Hex, SignedAgreement>(
    (parameters.agreements ?? []).map((a) => [a.termsHash, a] as const),
  )
  let manifestHash = parameters.manifestHash
  const makeResponder = (options: {
    restore?: string
    onAgreement: (agreement: SignedAgreement) => void
  }) =>
    createResponder({
      ...(options.restore ? { restore: options.restore } : {}),
      ...(parameters.now ? { clock: { ...systemClock, now: parameters.now } } : {}),
      signer: parameters.signer ?? parameters.account,
      verify: verifyAgreementFast,
      chainId: parameters.chainId,
      tool: { registry: parameters.directory, toolId, manifestHash },
      capabilities: tool.tags,
      channel: { contract: parameters.channels, minDeposit: parameters.minDeposit },
      service: {
        token: parameters.token,
        ...(parameters.maxCalls !== undefined ? { maxCalls: parameters.maxCalls } : {}),
        ...(parameters.p95LatencyMs ? { p95LatencyMs: parameters.p95LatencyMs } : {}),
        ...(parameters.callsPerMinute ? { callsPerMinute: parameters.callsPerMinute } : {}),
      },
      pricing: parameters.pricing,
      onAgreement: options.onAgreement,
    })
  const agreed = (agreement: SignedAgreement) => {
    agreements.set(agreement.termsHash, agreement)
    parameters.onAgreement?.(agreement)
  }
  const { shared } = parameters
  // Alone, one responder keeps this tool's negotiations in memory; on a shared ledger each
  // message resumes its negotiation from there (see sharedNegotiation).
  const responder = shared ? undefined : makeResponder({ onAgreement: agreed })
  const negotiate = shared
    ? sharedNegotiation({ store: shared, responder: makeResponder, onAgreement: agreed })
    : (message: unknown, options: { from?: string }) => responder!.handle(message, options)

  /**
   * The agreement a channel or call names, made here or (on a shared ledger) by any replica.
   * One agreed for another tool, another provider or another consumer is no agreement here:
   * the channel's price and the voucher's termsHash are then this tool's own.
   */
  const agreementFor = async (termsHash: Hex, caller: Address): Promise<SignedAgreement> => {
    let agreement = agreements.get(termsHash)
    if (!agreement && shared) {
      const stored = await shared.getAgreement(termsHash)
      if (stored && isFor(stored)) {
        agreement = stored
        agreements.set(stored.termsHash, stored)
      }
    }
    if (!agreement || agreement.agreement.consumer.toLowerCase() !== caller.toLowerCase())
      throw new WireError('terms_mismatch', 'No agreement with this caller has these terms.', {
        data: { code: 'AGREEMENT_UNKNOWN' },
      })
    return agreement
  }

  server.handle(`${routeBase}/negotiate`, z.unknown(), async (message, { from }) => {
    // A caller the gate refuses gets no offer, so it never funds a channel it cannot use.
    if (gate) await gate(toolId, from)
    return negotiate(message, { from })
  })

  server.handle(`${routeBase}/fund`, FundRequest, async ({ termsHash, key }, { from }) => {
    const signed = await agreementFor(termsHash, from)
    try {
      const channel = await payee.acceptChannel({ key, agreement: signed.agreement, termsHash })
      return { channelId: channel.channelId, deposit: channel.deposit.toString() }
    } catch (error) {
      throw new WireError(
        'payment_required',
        (error as Error).message.split('\n')[0] ?? 'refused',
        {
          data: { code: 'PAYMENT_REFUSED' },
        },
      )
    }
  })

  /**
   * One paid call from `from` (the envelope's signer, or over A2A the voucher's channel payer):
   * the call path of every route that serves this tool, each check in the order §9.3 lists.
   */
  const call = async (
    { termsHash, input, payment }: z.output<typeof CallRequest>,
    from: Address,
  ): Promise<CallAnswer> => {
    const report = (ok: boolean, code?: string) =>
      parameters.onCall?.({ caller: from, termsHash, ok, ...(code ? { code } : {}) })
    try {
      if (gate) await gate(toolId, from)
      await agreementFor(termsHash, from)
    } catch (error) {
      report(false, (error as WireError).data?.code as string)
      throw error
    }
    const requestHash = callRequestHash(tool.name, termsHash, input)
    let ticket: Awaited<ReturnType<Payee['acceptVoucher']>>
    try {
      ticket = await payee.acceptVoucher(payment, { requestHash, termsHash })
    } catch (error) {
      const rejected = error as VoucherRejectedError
      if (!rejected.wireReason) throw error
      // A retry of a call already served and paid (its reply was lost, or this provider
      // restarted since): answered from its first result, not served or charged again.
      const first =
        rejected.code === 'VOUCHER_REPLAYED'
          ? await payee.answered(payment, requestHash)
          : undefined
      if (first) {
        report(true)
        return { output: first.response, receipt: toJson(first.receipt) }
      }
      report(false, rejected.code)
      throw voucherRefusal(rejected)
    }
    const fail = async (
      reason: 'invalid_input' | 'internal' | 'timeout',
      code: string,
      message: string,
      data = {},
    ) => {
      await ticket.rollback()
      report(false, code)
      return new WireError(reason, `${message} You were not charged.`, {
        data: { code, ...data },
      })
    }
    const parsed = tool.input.safeParse(input)
    if (!parsed.success)
      throw await fail(
        'invalid_input',
        'INPUT_INVALID',
        'The input does not match the tool’s schema.',
        { issues: inputIssues(parsed.error) },
      )
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    let output: unknown
    try {
      output = await Promise.race([
        Promise.resolve(
          tool.handler(parsed.data, { caller: from, termsHash, signal: controller.signal }),
        ),
        new Promise((_, reject) => {
          timer = setTimeout(() => {
            controller.abort()
            reject(new WireError('timeout', 'timeout'))
          }, parameters.timeoutMs)
        }),
      ])
    } catch (error) {
      if (error instanceof WireError && error.reason === 'timeout')
        throw await fail(
          'timeout',
          'HANDLER_TIMEOUT',
          `The tool took longer than ${parameters.timeoutMs} ms.`,
        )
      // The tool's own verdict on input its schema let through: the caller's to fix.
      if (isToolInputError(error))
        throw await fail(
          'invalid_input',
          'INPUT_INVALID',
          error.message,
          error.reason ? { reason: error.reason } : {},
        )
      throw await fail('internal', 'HANDLER_FAILED', 'The tool failed while handling the call.')
    } finally {
      clearTimeout(timer)
    }
    const checked = tool.output.safeParse(output)
    if (!checked.success)
      throw await fail(
        'internal',
        'OUTPUT_INVALID',
        'The tool produced output that does not match its schema.',
      )
    const response = toJson(checked.data)
    const receipt = await ticket.commit({ responseHash: contentHash(response), response })
    report(true)
    return { output: response, receipt: toJson(receipt) }
  }

  // A paid call is authenticated by its voucher, which signs the envelope's struct hash: one
  // signature and one recovery per call instead of two (the recovered signer is kept for the
  // payee's own check that it pays the channel).
  server.handle(
    `${routeBase}/call`,
    CallRequest,
    (body, { from, authenticated }) => call({ ...body, payment: authenticated }, from),
    {
      authenticate: {
        field: 'payment',
        verify(payment, envelopeHash, envelope) {
          let verified: VerifiedPayment
          try {
            verified = payee.verifyPayment(payment, envelopeHash)
          } catch (error) {
            const rejected = error as VoucherRejectedError
            throw rejected.wireReason ? voucherRefusal(rejected) : error
          }
          if (verified.signer.toLowerCase() !== envelope.from.toLowerCase())
            throw voucherRefusal(
              new VoucherRejectedError(
                'bad_signature',
                `The voucher is not signed by ${envelope.from}.`,
              ),
            )
          return { signer: verified.signer, proof: verified }
        },
      },
    },
  )

  const isFor = ({ agreement: a, chainId }: SignedAgreement) =>
    a.toolId === toolId &&
    chainId === parameters.chainId &&
    a.registry.toLowerCase() === parameters.directory.toLowerCase() &&
    a.provider.toLowerCase() === (parameters.signer ?? parameters.account).address.toLowerCase()

  return {
    /** Negotiations of this tool: stopped with the agent, told of new versions. */
    responder: {
      stop: () => responder?.stop(),
      setManifestHash(next: Hex) {
        manifestHash = next
        responder?.setManifestHash(next)
      },
    },
    agreements,
    call,
    /** Serves later calls with a new definition of the tool (same name and route). */
    setTool(next: Tool) {
      tool = next
    },
  }
}

/** A voucher refusal as the wire error a caller is sent: its reason, and its code in `data`. */
export function voucherRefusal(rejected: VoucherRejectedError): WireError {
  return new WireError(rejected.wireReason, rejected.shortMessage, {
    data: { code: rejected.code, ...(rejected.data ?? {}) },
  })
}

/** The hash a receipt binds a call's request to: the tool, the terms and the input. */
export function callRequestHash(tool: string, termsHash: Hex, input: unknown): Hex {
  return contentHash(toJson({ tool, termsHash: termsHash.toLowerCase(), input }))
}

/** JSON form: bigints as decimal strings. */
export function toJson<T>(value: T): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null',
  )
}
