import type { Address, Hex } from 'viem'
import type { ChannelKey } from '../channel/channelKey.js'
import type { SignedReceipt } from '../receipt/signedReceipt.js'
import type { Awaitable } from './runFlow.js'

/** Where a channel stands, as each side last saw it. */
export type ChannelStatus = 'open' | 'closing' | 'closed'

/**
 * A channel the payer opened, with the running totals of what it has signed. It may pay for
 * several agreements with its payee: each voucher names the one it pays under.
 */
export type PayerChannel = {
  channelId: Hex
  chainId: number
  channels: Address
  key: ChannelKey
  deposit: bigint
  /** Cumulative amount of the newest voucher signed (or about to be). */
  cumulative: bigint
  /** Call count of the newest voucher signed. */
  calls: bigint
  status: ChannelStatus
  openedAt: number
}

/**
 * - `issued`: signed (or about to be) and handed out; the call's outcome is not known yet.
 * - `served`: the payee's receipt came back and checked out.
 * - `failed`: the call definitely did not happen; the next call on the channel reuses this
 *   voucher, so the payer never pays twice for one call.
 */
export type PayerVoucherStatus = 'issued' | 'served' | 'failed'

export type PayerVoucher = {
  channelId: Hex
  calls: bigint
  cumulativeAmount: bigint
  /** What this call adds: cumulative minus the previous voucher's. */
  amount: bigint
  termsHash: Hex
  /** The request envelope the signature is bound to (zero: none). */
  envelopeHash: Hex
  /** Absent only if the process stopped between recording and signing. */
  signature: Hex | undefined
  status: PayerVoucherStatus
  issuedAt: number
  requestHash: Hex | undefined
  receipt: SignedReceipt | undefined
}

/**
 * Durable payer state. Methods are synchronous and each is atomic; `transaction` groups them.
 * `@gotong/payments/node` has the SQLite implementation.
 */
export type PayerStore = {
  transaction<T>(fn: () => T): T
  /** Resolves once every transaction committed so far is on disk (see `PayeeStore.durable`). */
  durable?(): Promise<void>
  getChannel(channelId: Hex): PayerChannel | undefined
  listChannels(): PayerChannel[]
  saveChannel(channel: PayerChannel): void
  getVoucher(channelId: Hex, calls: bigint): PayerVoucher | undefined
  saveVoucher(voucher: PayerVoucher): void
  /** How many of a channel's vouchers under these terms are not `failed`: the agreement's calls. */
  countVouchers(channelId: Hex, termsHash: Hex): bigint
  /** The lowest-numbered `failed` voucher of a channel for these terms and amount. */
  findReusable(channelId: Hex, termsHash: Hex, amount: bigint): PayerVoucher | undefined
  /** A channel's vouchers (or all), optionally only those with `status`. */
  listVouchers(channelId?: Hex, status?: PayerVoucherStatus): PayerVoucher[]
  close(): void
}

/**
 * A channel the payee serves against. It carries one or more agreements of its payer with this
 * payee ({@link PayeeBinding}); `termsHash` and the terms beside it are the first one bound.
 */
export type PayeeChannel = {
  channelId: Hex
  chainId: number
  channels: Address
  key: ChannelKey
  termsHash: Hex
  pricePerCall: bigint
  maxCalls: bigint
  /** Unix seconds after which no new call is served (0: no end). */
  validUntil: bigint
  /** On-chain state, refreshed by the payee. */
  deposit: bigint
  claimed: bigint
  status: ChannelStatus
  closesAt: bigint
  checkedAt: number
  /** The newest (by calls) voucher accepted so far, whatever became of its call. */
  highestCalls: bigint
  highestCumulative: bigint
}

/** One agreement a channel pays for: its terms, checked on every voucher that names it. */
export type PayeeBinding = {
  channelId: Hex
  termsHash: Hex
  pricePerCall: bigint
  /** The agreement's cap of calls (0: none), counted over this agreement's vouchers only. */
  maxCalls: bigint
  /** Unix seconds after which no new call is served under it (0: no end). */
  validUntil: bigint
  /** Milliseconds since the epoch when it was bound. */
  boundAt: number
}

/** The stored vouchers next to a call number on a channel, whatever their status. */
export type AdjacentVouchers = { below: PayeeVoucher | undefined; above: PayeeVoucher | undefined }

/**
 * - `pending`: accepted and recorded; the tool is about to run or running. (Only a commit must
 *   reach the disk before its receipt leaves: a pending record lost to a power cut means the same
 *   as a rollback.)
 * - `committed`: the call was served; the voucher's money is the payee's.
 * - `rolled_back`: the call failed or never finished; the payer may send the same voucher again.
 */
export type PayeeVoucherStatus = 'pending' | 'committed' | 'rolled_back'

export type PayeeVoucher = {
  channelId: Hex
  calls: bigint
  cumulativeAmount: bigint
  termsHash: Hex
  /** The request envelope the voucher was signed for (zero: none); claims pass it on chain. */
  envelopeHash: Hex
  signature: Hex
  status: PayeeVoucherStatus
  requestHash: Hex | undefined
  acceptedAt: number
  settledAt: number | undefined
  receipt: SignedReceipt | undefined
  /** The served call's response (JSON), kept to answer a retry from its first result. */
  response?: unknown
}

/** An on-chain claim the payee made. */
export type PayeeClaim = {
  channelId: Hex
  cumulativeAmount: bigint
  txHash: Hex
  at: number
}

/** Durable payee state, synchronous and atomic per method like {@link PayerStore}. */
export type PayeeStore = {
  transaction<T>(fn: () => T): T
  /**
   * Resolves once every transaction committed so far is on disk. A store that syncs each commit
   * leaves it out; the SQLite store shares one sync among all callers waiting at the same moment
   * (group commit), so concurrent calls do not queue behind each other's disk syncs.
   */
  durable?(): Promise<void>
  /**
   * Resolves once every transaction so far is committed, synced or not. A store that commits
   * each transaction as it ends leaves it out; the SQLite store commits once per turn.
   */
  committed?(): Promise<void>
  getChannel(channelId: Hex): PayeeChannel | undefined
  listChannels(): PayeeChannel[]
  saveChannel(channel: PayeeChannel): void
  /** The agreement with these terms on a channel, if bound to it. */
  getBinding(channelId: Hex, termsHash: Hex): PayeeBinding | undefined
  /** The agreements a channel pays for, first bound first. */
  listBindings(channelId: Hex): PayeeBinding[]
  saveBinding(binding: PayeeBinding): void
  /** How many of a channel's vouchers under these terms are pending or committed. */
  countVouchers(channelId: Hex, termsHash: Hex): bigint
  /** The nearest stored vouchers below and above call `calls` of a channel. */
  adjacentVouchers(channelId: Hex, calls: bigint): AdjacentVouchers
  getVoucher(channelId: Hex, calls: bigint): PayeeVoucher | undefined
  saveVoucher(voucher: PayeeVoucher): void
  /** The committed voucher with the most calls: the one worth claiming. */
  highestCommitted(channelId: Hex): PayeeVoucher | undefined
  listVouchers(filter?: { channelId?: Hex; status?: PayeeVoucherStatus }): PayeeVoucher[]
  saveClaim(claim: PayeeClaim): void
  listClaims(channelId?: Hex): PayeeClaim[]
  close(): void
}

/**
 * A payee store on a database server, shared by replicas of one provider: the methods of
 * {@link PayeeStore}, answered asynchronously. Inside `transaction`, `getChannel` locks the
 * channel's row until the transaction ends, so two replicas never accept the same voucher.
 * `@gotong/payments/pg` has the PostgreSQL implementation.
 */
export type AsyncPayeeStore = {
  transaction<T>(fn: () => Awaitable<T>): Promise<T>
  durable?(): Promise<void>
  getChannel(channelId: Hex): Promise<PayeeChannel | undefined>
  listChannels(): Promise<PayeeChannel[]>
  saveChannel(channel: PayeeChannel): Promise<void>
  getBinding(channelId: Hex, termsHash: Hex): Promise<PayeeBinding | undefined>
  listBindings(channelId: Hex): Promise<PayeeBinding[]>
  saveBinding(binding: PayeeBinding): Promise<void>
  countVouchers(channelId: Hex, termsHash: Hex): Promise<bigint>
  adjacentVouchers(channelId: Hex, calls: bigint): Promise<AdjacentVouchers>
  getVoucher(channelId: Hex, calls: bigint): Promise<PayeeVoucher | undefined>
  saveVoucher(voucher: PayeeVoucher): Promise<void>
  highestCommitted(channelId: Hex): Promise<PayeeVoucher | undefined>
  listVouchers(filter?: { channelId?: Hex; status?: PayeeVoucherStatus }): Promise<PayeeVoucher[]>
  saveClaim(claim: PayeeClaim): Promise<void>
  listClaims(channelId?: Hex): Promise<PayeeClaim[]>
  /**
   * Whether the replica that accepted this pending voucher is gone (its process died mid-call):
   * then the voucher counts as rolled back, and the payer's retry is served by another replica.
   */
  abandoned?(voucher: PayeeVoucher): Promise<boolean>
  /**
   * Whether this replica is the one that settles: the first to ask holds it until its process
   * ends, and another takes over then. Settlers of the other replicas stand by.
   */
  leads?(): Promise<boolean>
  close(): Promise<void>
}

/** Either kind of payee store, as `createPayee` and `createSettler` take it. */
export type AnyPayeeStore = PayeeStore | AsyncPayeeStore

/** What the payee's code sees of either store: every answer may come now or later. */
export type AwaitablePayeeStore = {
  transaction<T>(fn: () => Awaitable<T>): Awaitable<T>
  durable?(): Promise<void>
  committed?(): Promise<void>
  getChannel(channelId: Hex): Awaitable<PayeeChannel | undefined>
  listChannels(): Awaitable<PayeeChannel[]>
  saveChannel(channel: PayeeChannel): Awaitable<void>
  getBinding(channelId: Hex, termsHash: Hex): Awaitable<PayeeBinding | undefined>
  listBindings(channelId: Hex): Awaitable<PayeeBinding[]>
  saveBinding(binding: PayeeBinding): Awaitable<void>
  countVouchers(channelId: Hex, termsHash: Hex): Awaitable<bigint>
  adjacentVouchers(channelId: Hex, calls: bigint): Awaitable<AdjacentVouchers>
  getVoucher(channelId: Hex, calls: bigint): Awaitable<PayeeVoucher | undefined>
  saveVoucher(voucher: PayeeVoucher): Awaitable<void>
  highestCommitted(channelId: Hex): Awaitable<PayeeVoucher | undefined>
  listVouchers(filter?: { channelId?: Hex; status?: PayeeVoucherStatus }): Awaitable<PayeeVoucher[]>
  saveClaim(claim: PayeeClaim): Awaitable<void>
  listClaims(channelId?: Hex): Awaitable<PayeeClaim[]>
  abandoned?(voucher: PayeeVoucher): Promise<boolean>
  leads?(): Promise<boolean>
  close(): Awaitable<void>
}
