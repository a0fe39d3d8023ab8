import { noEnvelopeHash } from '@gotong/core'
import type { Address, Hex } from 'viem'
import { type Budget, createBudget, type Reservation, reserveAll } from '../budget/createBudget.js'
import { type ChannelKey, channelIdOf, type VoucherPayment } from '../channel/channelKey.js'
import type { DigestSigner } from '../crypto/digestSigner.js'
import { ChannelError } from '../errors.js'
import { createReceiptDigester } from '../receipt/receiptDigest.js'
import type { SignedReceipt } from '../receipt/signedReceipt.js'
import { verifyReceipt } from '../receipt/verifyReceipt.js'
import type { PayerChannel, PayerStore, PayerVoucher } from '../store/types.js'
import { createVoucherDigester } from '../voucher/voucherDigest.js'

export type CreatePayerParameters = {
  /** Durable voucher log: `createSqlitePayerStore` from `@gotong/payments/node`. */
  store: PayerStore
  /** Signs vouchers; must be the channels' payer. `privateKeySigner` is the fast one. */
  signer: DigestSigner
  chainId: number
  /** The PaymentChannels contract. */
  channels: Address
  /**
   * The payer's own budget: every voucher reserves in it, as well as in any budgets the call
   * names. Unlimited if absent.
   */
  budget?: Budget
  /** Milliseconds since the epoch; injected in tests. */
  now?: () => number
}

/** A voucher ready to send with a call, and the budget it holds until the call resolves. */
export type IssuedVoucher = {
  payment: VoucherPayment
  reservation: Reservation
  /** True when this re-sends a voucher whose earlier call definitely failed. */
  reused: boolean
}

export type Payer = {
  readonly address: Address
  /** Starts tracking a channel this payer opened (after `openChannel`). Idempotent. */
  trackChannel(parameters: { key: ChannelKey; deposit: bigint }): PayerChannel
  /** Records a top-up or a channel's new status seen on chain. */
  updateChannel(channelId: Hex, patch: Partial<Pick<PayerChannel, 'deposit' | 'status'>>): void
  getChannel(channelId: Hex): PayerChannel | undefined
  /** Every channel this payer tracks, oldest first. */
  listChannels(): PayerChannel[]
  /**
   * Signs the voucher for one call of `amount` on a channel. Reserves `amount` in the payer's
   * budget and in every budget named (each scope once, all or nothing), and
   * records the new cumulative total with its signature in one durable transaction before
   * returning, so a restarted payer never signs a lower or duplicate amount (a signer whose
   * `signDigest` returns a promise is recorded in a second one). Reuses a voucher whose call
   * definitely failed before signing a new one. Throws `BudgetExceededError` or `ChannelError`
   * with nothing reserved or recorded.
   */
  createVoucher(parameters: {
    channelId: Hex
    termsHash: Hex
    amount: bigint
    /** Budgets this call must also stay within (a call's own, a toolkit's). */
    budget?: Budget | readonly Budget[]
    requestHash?: Hex
    /**
     * The struct hash of the request envelope this voucher pays for and authenticates (a paid
     * `call`); zero (the default) for a voucher sent without one (A2A).
     */
    envelopeHash?: Hex
    /**
     * The agreement's cap of calls (0 or absent: none), counted over its own vouchers on the
     * channel. An agreement that has had them all is refused with `CHANNEL_DEPOSIT_EXHAUSTED`.
     */
    maxCalls?: bigint
  }): Promise<IssuedVoucher>
  /**
   * Signs an issued voucher again, the same call and amount, for another envelope: a call sent
   * anew (a retry, or a voucher carried over from an earlier call) is a new envelope.
   */
  bindVoucher(issued: IssuedVoucher, envelopeHash: Hex): Promise<IssuedVoucher>
  /** The call was served: checks the payee's receipt, stores it and commits the budget. */
  confirm(issued: IssuedVoucher, receipt: unknown, requestHash: Hex): SignedReceipt
  /**
   * The call definitely did not happen (the payee refused or rolled back): the voucher becomes
   * reusable by the next call and the budget is released. For an unknown outcome (a timeout),
   * retry with the same payment instead.
   */
  fail(issued: IssuedVoucher): void
  /**
   * Carries a signed voucher an earlier process left `issued` (sent or not, no answer known) on
   * with a new call: its amount is reserved again and the voucher goes out as this call's
   * payment. The payee either takes it (the earlier call never arrived) or answers
   * `VOUCHER_REPLAYED` with the receipt of the call it did serve; either way nothing is paid
   * twice and nothing newer is signed past it.
   */
  resume(voucher: PayerVoucher, options?: { budget?: Budget | readonly Budget[] }): IssuedVoucher
  /** Vouchers recorded but never signed (the process stopped in between) become reusable. */
  recover(): { reusable: number; inDoubt: PayerVoucher[] }
  /** A channel's vouchers (or all), optionally only those with `status`. */
  vouchers(channelId?: Hex, status?: PayerVoucher['status']): PayerVoucher[]
}

/**
 * The paying side of gotong's channels: one durable place where vouchers are signed and
 * budgets enforced.
 *
 * @example
 * const payer = createPayer({ store, signer: privateKeySigner(key), chainId, channels })
 * const issued = await payer.createVoucher({ channelId, termsHash, amount: 2_000n })
 * const res = await callTool({ ...request, payment: issued.payment })
 * payer.confirm(issued, res.receipt, requestHash)
 */
export function createPayer(parameters: CreatePayerParameters): Payer {
  const { store, signer, chainId, channels } = parameters
  const now = parameters.now ?? Date.now
  const defaultBudget = parameters.budget ?? createBudget('payer', {}, { now })
  /** The payer's budget and those a call names: every one applies. */
  const budgetsOf = (named: Budget | readonly Budget[] | undefined): Budget[] => [
    defaultBudget,
    ...(named === undefined ? [] : Array.isArray(named) ? named : [named as Budget]),
  ]
  // A channel's payee is part of its id (the key is hashed into it), so once read it never
  // changes: confirm() takes it from here instead of reading the channel again every call.
  const payees = new Map<Hex, Address>()
  const voucherDigest = createVoucherDigester({ chainId, verifyingContract: channels }).digest
  const receiptDigest = createReceiptDigester({ chainId, verifyingContract: channels })

  const digestOf = (voucher: PayerVoucher) =>
    voucherDigest({
      channelId: voucher.channelId,
      cumulativeAmount: voucher.cumulativeAmount,
      calls: voucher.calls,
      termsHash: voucher.termsHash,
      envelopeHash: voucher.envelopeHash,
    })

  const toIssued = (
    v: PayerVoucher,
    signature: Hex,
    reservation: Reservation,
    reused: boolean,
  ) => ({
    payment: {
      scheme: 'gotong-channel' as const,
      chainId,
      channels,
      voucher: {
        channelId: v.channelId,
        cumulativeAmount: v.cumulativeAmount,
        calls: v.calls,
        termsHash: v.termsHash,
        envelopeHash: v.envelopeHash,
      },
      signature,
    },
    reservation,
    reused,
  })

  return {
    address: signer.address,
    trackChannel({ key, deposit }) {
      if (key.payer.toLowerCase() !== signer.address.toLowerCase())
        throw new ChannelError('CHANNEL_MISMATCH', 'This channel is paid by another account.', {
          details: `channel payer ${key.payer}, signer ${signer.address}`,
        })
      const channelId = channelIdOf(key, { chainId, channels })
      return store.transaction(() => {
        const existing = store.getChannel(channelId)
        if (existing) return existing
        const channel: PayerChannel = {
          channelId,
          chainId,
          channels,
          key,
          deposit,
          cumulative: 0n,
          calls: 0n,
          status: 'open',
          openedAt: now(),
        }
        store.saveChannel(channel)
        return channel
      })
    },
    updateChannel(channelId, patch) {
      store.transaction(() => {
        const channel = store.getChannel(channelId)
        if (!channel) throw unknownChannel(channelId)
        store.saveChannel({ ...channel, ...patch })
      })
    },
    getChannel: (channelId) => store.getChannel(channelId),
    listChannels: () => store.listChannels(),
    async createVoucher({ channelId, termsHash, amount, budget, requestHash, maxCalls, ...rest }) {
      const envelopeHash = (rest.envelopeHash ?? noEnvelopeHash).toLowerCase() as Hex
      let reservation: Reservation | undefined
      let reused = false
      // An account signer answers later: its signature is recorded in a second transaction.
      let signing: Promise<Hex> | undefined
      let voucher: PayerVoucher
      try {
        voucher = store.transaction(() => {
          const current = store.getChannel(channelId)
          if (!current) throw unknownChannel(channelId)
          payees.set(channelId, current.key.payee)
          // The agreement's calls, not the channel's: a shared channel also carries others'.
          // Counted only once the channel itself has had as many.
          if (
            maxCalls &&
            current.calls >= maxCalls &&
            store.countVouchers(channelId, termsHash.toLowerCase() as Hex) >= maxCalls
          )
            throw new ChannelError(
              'CHANNEL_DEPOSIT_EXHAUSTED',
              `The agreement on channel ${channelId} has had all its ${maxCalls} calls.`,
            )
          reservation = reserveAll(budgetsOf(budget), amount, { payee: current.key.payee })
          if (current.status !== 'open')
            throw new ChannelError('CHANNEL_NOT_OPEN', `Channel ${channelId} is ${current.status}.`)
          let next: PayerVoucher
          const reusable = store.findReusable(channelId, termsHash.toLowerCase() as Hex, amount)
          if (reusable) {
            reused = true
            next = { ...reusable, status: 'issued', requestHash }
            // Signed for another request: the same call and amount is signed for this one.
            if (reusable.envelopeHash !== envelopeHash)
              next = { ...next, envelopeHash, signature: undefined }
          } else {
            // The newest voucher's call failed under other terms or at another price (a shared
            // channel): its slot is signed again for this call, so no later voucher pays for it.
            const top = store.getVoucher(channelId, current.calls)
            const slot = top?.status === 'failed' ? top : undefined
            const before = slot ? slot.cumulativeAmount - slot.amount : current.cumulative
            const cumulative = before + amount
            if (cumulative > current.deposit)
              throw new ChannelError(
                'CHANNEL_DEPOSIT_EXHAUSTED',
                `Channel ${channelId} has ${current.deposit - before} left, the call costs ${amount}: top it up.`,
              )
            const calls = slot ? current.calls : current.calls + 1n
            store.saveChannel({ ...current, cumulative, calls })
            next = {
              channelId,
              calls,
              cumulativeAmount: cumulative,
              amount,
              termsHash: termsHash.toLowerCase() as Hex,
              envelopeHash,
              signature: undefined,
              status: 'issued',
              issuedAt: now(),
              requestHash,
              receipt: undefined,
            }
          }
          if (next.signature === undefined) {
            // A synchronous signer (`privateKeySigner`, ~30 µs) signs inside this transaction:
            // one durable commit per voucher, and the signature is returned only after it.
            // A signer that throws rolls everything back, so nothing is recorded.
            const signed = signer.signDigest(digestOf(next))
            if (typeof signed === 'string') next = { ...next, signature: signed }
            else {
              signing = signed
              // Awaited below once committed; a failed commit leaves it to settle unobserved.
              signed.catch(() => undefined)
            }
          }
          store.saveVoucher(next)
          return next
        })
      } catch (error) {
        reservation?.release()
        throw error
      }
      const held = reservation as Reservation
      if (signing) {
        try {
          voucher = { ...voucher, signature: await signing }
          store.saveVoucher(voucher)
        } catch (error) {
          store.saveVoucher({ ...voucher, status: 'failed' })
          held.release()
          throw error
        }
      }
      // The signature leaves only once its voucher is on disk (calls signed at the same moment
      // share one sync).
      await store.durable?.()
      return toIssued(voucher, voucher.signature as Hex, held, reused)
    },
    resume(voucher, options = {}) {
      const stored = store.getVoucher(voucher.channelId, voucher.calls)
      if (stored?.status !== 'issued' || stored.signature === undefined)
        throw new ChannelError(
          'CHANNEL_MISMATCH',
          `Voucher ${voucher.calls} of ${voucher.channelId} is not a signed voucher awaiting its answer.`,
        )
      const channel = store.getChannel(stored.channelId)
      if (!channel) throw unknownChannel(stored.channelId)
      const reservation = reserveAll(budgetsOf(options.budget), stored.amount, {
        payee: channel.key.payee,
      })
      return toIssued(stored, stored.signature, reservation, true)
    },
    async bindVoucher(issued, envelopeHash) {
      const { voucher } = issued.payment
      const bound = envelopeHash.toLowerCase() as Hex
      if (voucher.envelopeHash === bound) return issued
      const stored = store.getVoucher(voucher.channelId, voucher.calls)
      if (stored?.status !== 'issued' || stored.cumulativeAmount !== voucher.cumulativeAmount)
        throw new ChannelError(
          'CHANNEL_MISMATCH',
          `Voucher ${voucher.calls} of ${voucher.channelId} is not one awaiting its answer.`,
        )
      const next: PayerVoucher = { ...stored, envelopeHash: bound }
      const signature = await signer.signDigest(digestOf(next))
      store.transaction(() => store.saveVoucher({ ...next, signature }))
      await store.durable?.()
      return toIssued(next, signature, issued.reservation, issued.reused)
    },
    confirm(issued, receipt, requestHash) {
      const { voucher } = issued.payment
      const payee = payees.get(voucher.channelId) ?? store.getChannel(voucher.channelId)?.key.payee
      if (!payee) throw unknownChannel(voucher.channelId)
      const signed = verifyReceipt({
        receipt,
        payee,
        voucher,
        requestHash,
        digest: receiptDigest,
      })
      store.transaction(() => {
        const stored = store.getVoucher(voucher.channelId, voucher.calls)
        if (stored) store.saveVoucher({ ...stored, status: 'served', requestHash, receipt: signed })
      })
      issued.reservation.commit()
      return signed
    },
    fail(issued) {
      const { voucher } = issued.payment
      store.transaction(() => {
        const stored = store.getVoucher(voucher.channelId, voucher.calls)
        if (stored && stored.status === 'issued') store.saveVoucher({ ...stored, status: 'failed' })
      })
      issued.reservation.release()
    },
    recover() {
      let reusable = 0
      const inDoubt: PayerVoucher[] = []
      store.transaction(() => {
        for (const v of store.listVouchers(undefined, 'issued')) {
          if (v.status !== 'issued') continue
          if (v.signature === undefined) {
            store.saveVoucher({ ...v, status: 'failed' })
            reusable++
          } else inDoubt.push(v)
        }
      })
      return { reusable, inDoubt }
    },
    vouchers: (channelId, status) => store.listVouchers(channelId, status),
  }
}

function unknownChannel(channelId: Hex) {
  return new ChannelError('CHANNEL_UNKNOWN', `This payer does not know channel ${channelId}.`)
}
