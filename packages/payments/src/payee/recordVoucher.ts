import type { Voucher } from '@gotong/core'
import type { Hex } from 'viem'
import type { VoucherRejectedError } from '../errors.js'
import { type Flow, wait } from '../store/runFlow.js'
import type {
  AwaitablePayeeStore,
  PayeeBinding,
  PayeeChannel,
  PayeeVoucher,
} from '../store/types.js'
import { step } from './voucherSteps.js'

export type RecordVoucherParameters = {
  store: AwaitablePayeeStore
  /** The voucher, parsed, its signature and terms already checked. */
  voucher: Voucher
  signature: Hex
  requestHash: Hex | undefined
  /** The agreement the voucher pays under, and every agreement of its channel. */
  binding: PayeeBinding
  bindings: readonly PayeeBinding[]
  /** The channel's floor price (see `floorPrice`). */
  floor: bigint
  /** Whether a closing channel still takes this voucher (it adds nothing). */
  takesGap: (channel: PayeeChannel) => boolean
  reject: (
    reason: ConstructorParameters<typeof VoucherRejectedError>[0],
    message: string,
    data?: Record<string, unknown>,
  ) => VoucherRejectedError
  now: () => number
}

/**
 * The part of accepting a voucher that runs under the channel's lock: checked against the
 * newest voucher any replica accepted, the calls next to it and its agreement's quota, then
 * recorded as pending. Runs inside the store's transaction.
 */
export function* recordVoucher(parameters: RecordVoucherParameters): Flow<PayeeVoucher> {
  const { store, voucher, signature, requestHash, binding, bindings, floor, reject, now } =
    parameters
  const gap = parameters.takesGap
  const price = binding.pricePerCall
  const shared = bindings.length > 1
  // Read under the channel's lock (a row lock on a shared store): the newest voucher
  // accepted by any replica is the one this is checked against.
  const current = (yield* wait(store.getChannel(voucher.channelId)))!
  const highest = {
    calls: current.highestCalls.toString(),
    cumulativeAmount: current.highestCumulative.toString(),
  }
  if (current.status !== 'open' && !gap(current))
    throw reject('channel_closing', `Channel ${voucher.channelId} is ${current.status}.`)
  // What accepting it records: the request it is signed for, pending until the call ends.
  const pending = () =>
    ({
      envelopeHash: voucher.envelopeHash,
      signature,
      status: 'pending',
      requestHash,
      acceptedAt: now(),
      settledAt: undefined,
    }) satisfies Partial<PayeeVoucher>
  // Each agreement's quota, counted over its own calls on the channel under its lock.
  function* quota() {
    if (!shared || binding!.maxCalls === 0n) return
    const used = yield* wait(store.countVouchers(voucher.channelId, voucher.termsHash))
    if (used >= binding!.maxCalls)
      throw reject('quota_exceeded', `The agreement allows ${binding!.maxCalls} calls.`)
  }
  const existing = yield* wait(store.getVoucher(voucher.channelId, voucher.calls))
  // Pending on a replica that died mid-call: as good as rolled back, so the payer's retry
  // of the same voucher is served here, once.
  const orphaned =
    existing?.status === 'pending' &&
    store.abandoned !== undefined &&
    (yield* wait(store.abandoned(existing)))
  // A voucher whose call was refused may be signed again for another call of the same
  // slot, under other terms or another price (the payer reuses the slot, so it never
  // pays for a call not served): then it is checked as a new one.
  const replaces =
    shared &&
    existing?.status === 'rolled_back' &&
    (existing.cumulativeAmount !== voucher.cumulativeAmount ||
      existing.termsHash !== voucher.termsHash)
  if (existing && !replaces) {
    if (existing.cumulativeAmount !== voucher.cumulativeAmount)
      throw reject('non_monotonic', `Call ${voucher.calls} was already paid with another amount.`, {
        highest,
      })
    if (existing.status !== 'rolled_back' && !orphaned)
      throw reject(
        'replayed',
        `Call ${voucher.calls} on this channel is already ${existing.status}.`,
        {
          highest,
          ...(existing.receipt ? { receipt: existing.receipt } : {}),
        },
      )
    if (existing.status === 'rolled_back') yield* quota()
    // Re-sent for another request: the same call and amount, signed for this one.
    const again: PayeeVoucher = { ...existing, ...pending() }
    yield* wait(store.saveVoucher(again))
    return again
  }
  yield* quota()
  if (voucher.calls > current.highestCalls) {
    if (voucher.cumulativeAmount <= current.highestCumulative)
      throw reject('non_monotonic', 'The voucher does not raise the cumulative amount.', {
        highest,
      })
    const owed = step({ from: current.highestCalls, to: voucher.calls, price, floor })
    if (voucher.cumulativeAmount - current.highestCumulative < owed)
      throw reject('underpriced', `The voucher adds less than the agreed ${owed}.`, {
        highest,
      })
    yield* wait(
      store.saveChannel({
        ...current,
        highestCalls: voucher.calls,
        highestCumulative: voucher.cumulativeAmount,
      }),
    )
  } else if (
    voucher.cumulativeAmount >= current.highestCumulative &&
    !(replaces && voucher.calls === current.highestCalls)
  ) {
    throw reject('non_monotonic', 'An earlier call cannot cost as much as a later one.', {
      highest,
    })
  } else if (shared) {
    // Filling a gap (or a refused call's slot) on a shared channel: it must pay its own
    // price over the voucher below, and leave the one above paying for its own call.
    const near = yield* wait(store.adjacentVouchers(voucher.channelId, voucher.calls))
    if (near.below) {
      const owed = step({ from: near.below.calls, to: voucher.calls, price, floor })
      if (voucher.cumulativeAmount - near.below.cumulativeAmount < owed)
        throw reject('underpriced', `The voucher adds less than the agreed ${owed}.`, {
          highest,
        })
    }
    if (near.above) {
      const abovePrice =
        bindings.find((b) => b.termsHash === near.above!.termsHash)?.pricePerCall ?? floor
      const owed = step({ from: voucher.calls, to: near.above.calls, price: abovePrice, floor })
      if (near.above.cumulativeAmount - voucher.cumulativeAmount < owed)
        throw reject('non_monotonic', 'The voucher leaves a later call underpaid.', {
          highest,
        })
    }
    if (voucher.calls === current.highestCalls)
      yield* wait(store.saveChannel({ ...current, highestCumulative: voucher.cumulativeAmount }))
  }
  const fresh: PayeeVoucher = {
    channelId: voucher.channelId,
    calls: voucher.calls,
    cumulativeAmount: voucher.cumulativeAmount,
    termsHash: voucher.termsHash,
    ...pending(),
    receipt: undefined,
  }
  yield* wait(store.saveVoucher(fresh))
  return fresh
}
