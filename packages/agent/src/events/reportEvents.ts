import type { SignedAgreement } from '@gotong/core'
import type { Budget, SignedReceipt } from '@gotong/payments'
import type { SettlerWarning } from '@gotong/payments/payee'
import type { IssuedVoucher, Payer } from '@gotong/payments/payer'
import type { Address, Hash, Hex } from 'viem'
import type { ConsumerEvent } from '../consumer/types.js'
import type { AgentEventHub } from './createAgentEvents.js'

/** A receipt just checked by the payer, waiting for the consumer's report of its call. */
type Checked = { receipt: SignedReceipt; latencyMs: number | undefined }

/** How an agent's consumer, payer, settler and warnings report into its event stream. */
export type EventReporter = {
  /** The payer, watched: a checked receipt is `receipt.verified`, with the call's latency. */
  payer: Payer
  /** Maps a consumer event (negotiation, channel, call) onto the stream. */
  consumer(event: ConsumerEvent): void
  /** An agreement a serving agent countersigned. */
  agreement(signed: SignedAgreement): void
  /** A call a serving agent served or refused. */
  served(
    tool: { name: string; toolId: bigint },
    call: { caller: Address; termsHash: Hex; ok: boolean; code?: string },
  ): void
  claim(claim: { channelId: Hex; hash: Hash; amount: bigint }): void
  warning(warning: SettlerWarning): void
}

export type CreateEventReporterParameters = {
  hub: AgentEventHub
  address: Address
  payer: Payer
  /** The agent's own budget: what it has spent follows each paid call. */
  budget: Budget | undefined
}

/**
 * Wires an agent's parts to its event stream. The payer is wrapped, not changed: the time from
 * signing a voucher to checking its receipt is the call's latency, and the receipt is reported
 * as it is checked (the consumer's report of the same call follows it at once).
 */
export function createEventReporter({
  hub,
  address,
  payer,
  budget,
}: CreateEventReporterParameters): EventReporter {
  const issuedAt = new WeakMap<IssuedVoucher, number>()
  let checked: Checked | undefined
  const agreed = new Set<Hex>()
  /** Prices of the agreements this agent countersigned, by terms hash. */
  const prices = new Map<Hex, bigint>()
  const watched: Payer = {
    ...payer,
    async createVoucher(parameters) {
      const issued = await payer.createVoucher(parameters)
      issuedAt.set(issued, performance.now())
      return issued
    },
    resume(voucher, options) {
      const issued = payer.resume(voucher, options)
      issuedAt.set(issued, performance.now())
      return issued
    },
    async bindVoucher(issued, envelopeHash) {
      const bound = await payer.bindVoucher(issued, envelopeHash)
      const started = issuedAt.get(issued)
      if (started !== undefined) issuedAt.set(bound, started)
      return bound
    },
    confirm(issued, receipt, requestHash) {
      const signed = payer.confirm(issued, receipt, requestHash)
      const started = issuedAt.get(issued)
      checked = {
        receipt: signed,
        latencyMs: started === undefined ? undefined : performance.now() - started,
      }
      return signed
    },
  }
  return {
    payer: watched,
    consumer(event) {
      if (event.type === 'negotiation') {
        const detail = event.detail
        hub.emit({
          type: 'negotiation.state',
          negotiation: detail?.negotiation ?? `0x${'0'.repeat(64)}`,
          ...(event.toolId ? { toolId: event.toolId } : {}),
          ...(detail?.capability ? { capability: detail.capability } : {}),
          state: statePath(event.state),
          ...(detail?.provider ? { provider: detail.provider } : {}),
          offers: detail?.offers ?? [],
          dropouts: detail?.dropouts ?? [],
        })
        const agreement = detail?.agreement
        if (agreement && !agreed.has(agreement.termsHash)) {
          agreed.add(agreement.termsHash)
          hub.emit({ type: 'agreement.signed', side: 'consumer', consumer: address, ...agreement })
        }
      } else if (event.type === 'channel')
        hub.emit({
          type: 'channel.opened',
          channelId: event.channelId,
          payer: address,
          payee: event.provider,
          deposit: event.deposit,
          toolId: event.toolId,
        })
      else if (event.ok) {
        const { rail, railReason } = event as { rail?: unknown; railReason?: unknown }
        // The receipt checked just before this report is this call's: x402 calls have none.
        const receipt = rail === 'x402' ? undefined : checked
        checked = undefined
        const toolId = event.toolId !== undefined ? { toolId: event.toolId } : {}
        if (receipt) {
          const r = receipt.receipt.receipt
          hub.emit({
            type: 'receipt.verified',
            ...toolId,
            provider: event.provider,
            channelId: r.channelId,
            calls: r.calls,
            cumulativeAmount: r.cumulativeAmount,
            requestHash: r.requestHash,
            responseHash: r.responseHash,
            servedAt: r.servedAt,
          })
        }
        hub.emit({
          type: 'call.paid',
          ...toolId,
          provider: event.provider,
          price: event.price,
          ...(receipt ? { channelId: receipt.receipt.receipt.channelId } : {}),
          ...(receipt?.latencyMs !== undefined ? { latencyMs: receipt.latencyMs } : {}),
          ...(typeof rail === 'string' ? { rail } : {}),
          ...(typeof railReason === 'string' ? { railReason } : {}),
        })
        if (budget)
          hub.emit({
            type: 'budget.spent',
            scope: budget.scope,
            spent: budget.spent(),
            remaining: budget.remaining() ?? null,
          })
      } else
        hub.emit({
          type: 'call.refused',
          side: 'provider',
          ...(event.toolId !== undefined ? { toolId: event.toolId } : {}),
          counterparty: event.provider,
          code: event.code ?? 'REFUSED',
        })
    },
    agreement({ termsHash, agreement }) {
      prices.set(termsHash, agreement.pricePerCall)
      hub.emit({
        type: 'agreement.signed',
        side: 'provider',
        toolId: agreement.toolId,
        consumer: agreement.consumer,
        provider: agreement.provider,
        termsHash,
        pricePerCall: agreement.pricePerCall,
        maxCalls: agreement.maxCalls,
      })
    },
    served(tool, { caller, termsHash, ok, code }) {
      if (ok) {
        const price = prices.get(termsHash)
        hub.emit({
          type: 'call.served',
          tool: tool.name,
          toolId: tool.toolId,
          caller,
          termsHash,
          ...(price !== undefined ? { price } : {}),
        })
      } else
        hub.emit({
          type: 'call.refused',
          side: 'provider',
          tool: tool.name,
          toolId: tool.toolId,
          counterparty: caller,
          code: code ?? 'REFUSED',
        })
    },
    claim({ channelId, hash, amount }) {
      hub.emit({ type: 'channel.claimed', channelId, amount, transaction: hash })
    },
    warning({ code, message, channelId }) {
      hub.emit({ type: 'warning', code, message, ...(channelId ? { channelId } : {}) })
    },
  }
}

/** `{negotiating:signing}` (as the consumer reports states) as `negotiating.signing`. */
export function statePath(state: string): string {
  return state.replace(/[{}]/g, '').replaceAll(':', '.')
}
