import type { Agreement } from '@gotong/core'
import type { Address, Hex } from 'viem'
import { type ChannelKey, channelIdOf, sameAddress } from '../channel/channelKey.js'
import type { DigestSigner } from '../crypto/digestSigner.js'
import { ChannelError, VoucherRejectedError } from '../errors.js'
import { createReceiptDigester } from '../receipt/receiptDigest.js'
import type { SignedReceipt } from '../receipt/signedReceipt.js'
import { runFlow, wait } from '../store/runFlow.js'
import type {
  AnyPayeeStore,
  AwaitablePayeeStore,
  ChannelStatus,
  PayeeBinding,
  PayeeChannel,
  PayeeVoucher,
} from '../store/types.js'
import { recoverSignerLowercase } from '../voucher/recoverSigner.js'
import { createVoucherDigester } from '../voucher/voucherDigest.js'
import { firstAnswer } from './firstAnswer.js'
import { recordVoucher } from './recordVoucher.js'
import {
  isVerifiedPayment,
  parsePayment,
  type VerifiedPayment,
  verifyPayment,
} from './verifyPayment.js'
import { floorPrice, step } from './voucherSteps.js'

/** A channel's state on chain, as the payee needs it. */
export type OnChainChannel = {
  deposit: bigint
  claimed: bigint
  closesAt: bigint
  status: ChannelStatus | 'none'
}

export type CreatePayeeParameters = {
  /**
   * Durable voucher log: `createSqlitePayeeStore` from `@gotong/payments/node`, or
   * `createPgPayeeStore` from `@gotong/payments/pg`, shared by replicas of one provider.
   */
  store: AnyPayeeStore
  /** Signs receipts; must be the channels' payee. */
  signer: DigestSigner
  chainId: number
  /** The PaymentChannels contract. */
  channels: Address
  /** Reads a channel from chain: `createChannelReader(publicClient, channels)`. */
  readChannel: (channelId: Hex) => Promise<OnChainChannel>
  /** How long a channel read stays fresh (default 30 s). A voucher above the known deposit always re-reads. */
  channelTtlMs?: number
  /** Milliseconds since the epoch; injected in tests. */
  now?: () => number
}

/** An accepted voucher whose call is running. Exactly one of `commit` or `rollback` follows. */
export type VoucherTicket = {
  readonly voucher: PayeeVoucher
  /**
   * The call was served: records it (with `response`, the JSON answer, when given, so a retry
   * is answered from it) and returns the signed receipt for the payer.
   */
  commit(parameters: { responseHash: Hex; response?: unknown }): Promise<SignedReceipt>
  /** The call failed: the payer may send the same voucher again. */
  rollback(): Promise<void>
}

export type Payee = {
  readonly address: Address
  /**
   * Binds a funded channel to an agreement it pays for. Checks the key names this payee, the
   * agreement's consumer and token, and that the channel is open on chain. A channel already
   * bound to other agreements of the same payer takes this one too: each voucher names the
   * agreement it pays under, and each agreement's price, quota and end are checked on their
   * own. Idempotent.
   */
  acceptChannel(parameters: {
    key: ChannelKey
    agreement: Pick<Agreement, 'consumer' | 'token' | 'pricePerCall' | 'maxCalls' | 'validUntil'>
    termsHash: Hex
  }): Promise<PayeeChannel>
  /**
   * A paid request's authentication: the payment's voucher must sign `envelopeHash`, the struct
   * hash of the envelope it came in (see `verifyPayment`). Pass the result to `acceptVoucher`.
   */
  verifyPayment(payment: unknown, envelopeHash: Hex): VerifiedPayment
  /**
   * Checks a voucher (wire form, parsed here, or a `VerifiedPayment`) and records it durably as
   * pending before the tool runs. A voucher in wire form must carry `call.envelopeHash` (zero
   * when absent: a route with another authentication). Throws `VoucherRejectedError` with a
   * distinct code per reason and records nothing.
   */
  acceptVoucher(
    payment: unknown,
    call?: { requestHash?: Hex; channelId?: Hex; termsHash?: Hex; envelopeHash?: Hex },
  ): Promise<VoucherTicket>
  /**
   * The first answer to a call this voucher already paid for, when the retry asks for the same
   * request (`requestHash`): what a payee answers after `VOUCHER_REPLAYED` instead of charging
   * again. Undefined when the voucher is not a committed one with a kept response.
   */
  answered(
    payment: unknown,
    requestHash: Hex,
  ): Promise<{ response: unknown; receipt: SignedReceipt } | undefined>
  /**
   * After a restart: calls that were accepted but never finished are rolled back (on a shared
   * store, only those of replicas that are gone).
   */
  recover(): Promise<{ rolledBack: number }>
  getChannel(channelId: Hex): Promise<PayeeChannel | undefined>
  /** The agreements a channel pays for, first bound first. */
  listBindings(channelId: Hex): Promise<PayeeBinding[]>
  /** Re-reads a channel from chain and stores what it finds. */
  refreshChannel(channelId: Hex): Promise<PayeeChannel>
}

/**
 * The paid side of gotong's channels: verifies vouchers (native secp256k1, precomputed EIP-712
 * domain), enforces the agreement, and keeps a durable log so no call is served unpaid or paid
 * twice.
 *
 * @example
 * const payee = createPayee({ store, signer, chainId, channels, readChannel })
 * const ticket = await payee.acceptVoucher(body.payment, { requestHash })
 * try { const out = await tool(body.input); return { out, receipt: await ticket.commit({ responseHash }) } }
 * catch (e) { await ticket.rollback(); throw e }
 */
export function createPayee(parameters: CreatePayeeParameters): Payee {
  const { signer, chainId, channels, readChannel } = parameters
  const store: AwaitablePayeeStore = parameters.store
  const now = parameters.now ?? Date.now
  const ttl = parameters.channelTtlMs ?? 30_000
  const digester = createVoucherDigester({ chainId, verifyingContract: channels })
  const voucherDigest = digester.digest
  const receiptDigest = createReceiptDigester({ chainId, verifyingContract: channels })
  const me = signer.address.toLowerCase()
  const reads = new Map<Hex, Promise<PayeeChannel>>()
  // Bindings are only ever added, never changed: kept here so a call reads none. A voucher
  // naming terms not found here reads the store again (another replica may have bound them).
  const bound = new Map<Hex, PayeeBinding[]>()
  const bindingsOf = async (channelId: Hex, termsHash: Hex) => {
    let bindings = bound.get(channelId)
    if (!bindings?.some((b) => b.termsHash === termsHash)) {
      bindings = await store.listBindings(channelId)
      bound.set(channelId, bindings)
    }
    return { bindings, binding: bindings.find((b) => b.termsHash === termsHash) }
  }

  /** One transaction, run synchronously on a synchronous store (see `runFlow`). */
  const inTransaction = <T>(body: () => Generator<unknown, T, unknown>) =>
    store.transaction(() => runFlow(body()))

  const refreshChannel = (channelId: Hex): Promise<PayeeChannel> => {
    const inFlight = reads.get(channelId)
    if (inFlight) return inFlight
    const read = (async () => {
      const state = await readChannel(channelId)
      return await inTransaction(function* () {
        const channel = yield* wait(store.getChannel(channelId))
        if (!channel)
          throw new ChannelError('CHANNEL_UNKNOWN', `Channel ${channelId} is not bound here.`)
        const updated: PayeeChannel = {
          ...channel,
          deposit: state.deposit,
          claimed: state.claimed > channel.claimed ? state.claimed : channel.claimed,
          closesAt: state.closesAt,
          status: state.status === 'none' ? 'closed' : state.status,
          checkedAt: now(),
        }
        yield* wait(store.saveChannel(updated))
        return updated
      })
    })().finally(() => reads.delete(channelId))
    reads.set(channelId, read)
    return read
  }

  const reject = (
    reason: ConstructorParameters<typeof VoucherRejectedError>[0],
    message: string,
    data?: Record<string, unknown>,
  ) => new VoucherRejectedError(reason, message, data ? { data } : {})

  const settle = (voucher: PayeeVoucher, patch: Partial<PayeeVoucher>) =>
    inTransaction(function* () {
      const stored = yield* wait(store.getVoucher(voucher.channelId, voucher.calls))
      if (stored?.status !== 'pending') return false
      yield* wait(store.saveVoucher({ ...stored, ...patch, settledAt: now() }))
      return true
    })

  return {
    address: signer.address,
    async acceptChannel({ key, agreement, termsHash }) {
      const channelId = channelIdOf(key, { chainId, channels })
      const mismatch = !sameAddress(key.payee, me)
        ? `the channel pays ${key.payee}, not this payee`
        : !sameAddress(key.payer, agreement.consumer)
          ? `the channel's payer ${key.payer} is not the agreement's consumer`
          : !sameAddress(key.token, agreement.token)
            ? `the channel's token ${key.token} is not the agreed token`
            : undefined
      if (mismatch) throw new ChannelError('CHANNEL_MISMATCH', `Channel ${channelId}: ${mismatch}.`)
      const terms = termsHash.toLowerCase() as Hex
      await inTransaction(function* () {
        const existing = yield* wait(store.getChannel(channelId))
        if (existing && (yield* wait(store.getBinding(channelId, terms)))) return
        yield* wait(
          store.saveBinding({
            channelId,
            termsHash: terms,
            pricePerCall: agreement.pricePerCall,
            maxCalls: agreement.maxCalls,
            validUntil: agreement.validUntil,
            boundAt: now(),
          }),
        )
        bound.delete(channelId)
        if (existing) return
        yield* wait(
          store.saveChannel({
            channelId,
            chainId,
            channels,
            key,
            termsHash: terms,
            pricePerCall: agreement.pricePerCall,
            maxCalls: agreement.maxCalls,
            validUntil: agreement.validUntil,
            deposit: 0n,
            claimed: 0n,
            status: 'open',
            closesAt: 0n,
            checkedAt: 0,
            highestCalls: 0n,
            highestCumulative: 0n,
          }),
        )
      })
      const channel = await refreshChannel(channelId)
      if (channel.status !== 'open' || channel.deposit === 0n)
        throw new ChannelError('CHANNEL_NOT_OPEN', `Channel ${channelId} is not open on chain.`)
      return channel
    },

    verifyPayment: (payment, envelopeHash) =>
      verifyPayment(payment, envelopeHash, { chainId, channels, digester }),

    async acceptVoucher(payment, call = {}) {
      // Verified with its request: parsed, bound to it and its signer recovered already.
      const verified = isVerifiedPayment(payment) ? payment : undefined
      const { voucher, signature } =
        verified?.payment ?? parsePayment(payment, { chainId, channels })
      if (!verified && voucher.envelopeHash !== (call.envelopeHash ?? zeroHash).toLowerCase())
        throw reject('request_mismatch', 'The voucher pays for another request than this one.')
      if (call.channelId && voucher.channelId !== call.channelId.toLowerCase())
        throw reject(
          'wrong_channel',
          `The voucher pays channel ${voucher.channelId}, not this call's.`,
        )
      let channel = await store.getChannel(voucher.channelId)
      if (!channel)
        throw reject('unknown_channel', `Channel ${voucher.channelId} is not bound here.`)
      let { bindings, binding } = await bindingsOf(voucher.channelId, voucher.termsHash)
      // A channel known here with one agreement may have taken more on another replica: asked
      // again before a refusal that only a channel of one agreement would make.
      if (
        binding &&
        bindings.length === 1 &&
        binding.maxCalls !== 0n &&
        voucher.calls > binding.maxCalls
      ) {
        bound.delete(voucher.channelId)
        ;({ bindings, binding } = await bindingsOf(voucher.channelId, voucher.termsHash))
      }
      if (!binding)
        throw reject('terms_mismatch', 'The voucher names terms its channel was not bound to.')
      if (call.termsHash && voucher.termsHash !== call.termsHash.toLowerCase())
        throw reject('terms_mismatch', 'The voucher pays under other terms than this call.')
      if (binding.validUntil !== 0n && BigInt(Math.floor(now() / 1000)) > binding.validUntil)
        throw reject('agreement_expired', 'The agreement this voucher pays under has expired.')
      if (voucher.calls === 0n)
        throw reject('malformed', 'A voucher pays for at least one call (calls ≥ 1).')
      const price = binding.pricePerCall
      // Shared channel: calls of other agreements may sit between; each pays at least the floor.
      const shared = bindings.length > 1
      const floor = shared ? floorPrice(bindings) : price
      // On a channel of one agreement the n-th call is that agreement's n-th: refused before
      // anything else is checked. A shared channel counts the agreement's calls when recording.
      if (!shared && binding.maxCalls !== 0n && voucher.calls > binding.maxCalls)
        throw reject('quota_exceeded', `The agreement allows ${binding.maxCalls} calls.`)
      const least = step({ from: 0n, to: voucher.calls, price, floor })
      if (voucher.cumulativeAmount < least)
        throw reject(
          'underpriced',
          `${voucher.calls} calls at ${floor === price ? price : `≥ ${floor}, this one at ${price},`} need at least ${least}.`,
        )
      const recovered = verified
        ? verified.signer
        : recoverSignerLowercase(voucherDigest(voucher), signature)
      if (recovered === undefined)
        throw reject('malformed', 'The signature is malformed (length, v, or a malleable s).')
      if (!sameAddress(recovered, channel.key.payer))
        throw reject('bad_signature', "The voucher is not signed by the channel's payer.")
      if (
        now() - channel.checkedAt > ttl ||
        voucher.cumulativeAmount > channel.deposit ||
        channel.status !== 'open'
      )
        channel = await refreshChannel(voucher.channelId)
      // A closing channel takes no new exposure. A voucher below the newest accepted one adds
      // none: that newer voucher already pays for this call, so refusing it now would charge the
      // payer for a call never served (cumulative vouchers cannot say "n + 1 but not n").
      const gap = (c: PayeeChannel) =>
        c.status === 'closing' &&
        voucher.calls < c.highestCalls &&
        voucher.cumulativeAmount < c.highestCumulative
      if (channel.status !== 'open' && !gap(channel))
        throw reject('channel_closing', `Channel ${voucher.channelId} is ${channel.status}.`)
      if (voucher.cumulativeAmount > channel.deposit)
        throw reject(
          'over_deposit',
          `The voucher exceeds the channel's deposit of ${channel.deposit}.`,
          {
            deposit: channel.deposit.toString(),
          },
        )

      const accepted = await inTransaction(() =>
        recordVoucher({
          store,
          voucher,
          signature,
          requestHash: call.requestHash,
          binding,
          bindings,
          floor,
          takesGap: gap,
          reject,
          now,
        }),
      )
      // The tool runs only once its pending record is committed (a store batching a turn's
      // writes commits at the turn's end), so a payee killed while it runs finds that record.
      await store.committed?.()

      return {
        voucher: accepted,
        async commit({ responseHash, response }) {
          const receipt = {
            termsHash: accepted.termsHash,
            channelId: accepted.channelId,
            calls: accepted.calls,
            cumulativeAmount: accepted.cumulativeAmount,
            requestHash: (call.requestHash ?? zeroHash).toLowerCase() as Hex,
            responseHash: responseHash.toLowerCase() as Hex,
            servedAt: BigInt(Math.floor(now() / 1000)),
          }
          const signed: SignedReceipt = {
            receipt,
            signature: await signer.signDigest(receiptDigest(receipt)),
          }
          if (!(await settle(accepted, { status: 'committed', receipt: signed, response })))
            throw new ChannelError(
              'CHANNEL_MISMATCH',
              `Call ${accepted.calls} on ${accepted.channelId} was already settled.`,
            )
          // The receipt leaves only once the payee's claim to this call is on disk. (The pending
          // record need not be: lost, the call is simply unknown, as if rolled back.)
          await store.durable?.()
          return signed
        },
        async rollback() {
          await settle(accepted, { status: 'rolled_back' })
        },
      }
    },

    answered: (payment, requestHash) =>
      firstAnswer(store, payment, requestHash, { chainId, channels }),

    async recover() {
      const rolledBack = await inTransaction(function* () {
        let count = 0
        for (const v of yield* wait(store.listVouchers({ status: 'pending' }))) {
          // On a shared store the other replicas' calls are still running.
          if (store.abandoned && !(yield* wait(store.abandoned(v)))) continue
          yield* wait(store.saveVoucher({ ...v, status: 'rolled_back', settledAt: now() }))
          count++
        }
        return count
      })
      return { rolledBack }
    },
    getChannel: async (channelId) => store.getChannel(channelId),
    listBindings: async (channelId) => store.listBindings(channelId),
    refreshChannel,
  }
}

const zeroHash = `0x${'0'.repeat(64)}` as Hex
