import type { SignedAgreement, SignedX402Receipt } from '@gotong/core'
import type { DirectoryIndex, Listing } from '@gotong/directory/node'
import type { Signer as NegotiationSigner, ReputationWeightedOptions } from '@gotong/negotiation'
import type { Budget, SignedReceipt, VoucherPayment } from '@gotong/payments'
import type { ChannelWallet, IssuedVoucher, Payer } from '@gotong/payments/payer'
import type { TransportClient } from '@gotong/transport'
import type { Rail, X402Payer, X402Payment } from '@gotong/x402'
import type { Address, Hex, PublicClient } from 'viem'
import type { NegotiationDetail } from '../events/describeNegotiation.js'

/** One consumer–provider relationship for one tool: the agreement and its funded channel. */
export type Relationship = {
  toolId: bigint
  provider: Address
  routeBase: string
  agreement: SignedAgreement
  channelId: Hex
  budget: Budget | undefined
}

/** What a call through a channel answers: the output and the receipt proving it was served and paid. */
export type ChannelAnswer = {
  output: unknown
  receipt: SignedReceipt
  toolId: bigint
  price: bigint
}

/** A call paid through a gotong channel, and why that rail. */
export type ChannelCallResult = ChannelAnswer & { rail: 'channel'; railReason: string }

/**
 * A call paid with one x402 transfer: the output, the payment as the ledger keeps it (its
 * transaction, when settled) and the provider's signed receipt, if it sent one (gotong
 * providers do). `toolId` is undefined for a URL called through `x402Tool`.
 */
export type X402CallResult = {
  rail: 'x402'
  railReason: string
  output: unknown
  receipt: SignedX402Receipt | undefined
  /** Undefined only if the endpoint answered without asking to be paid. */
  payment: X402Payment | undefined
  toolId: bigint | undefined
  price: bigint
  url: string
}

/** A paid call's result; `rail` says how it was paid and `railReason` why. */
export type CallResult = ChannelCallResult | X402CallResult

/** What the consuming side reports as it works, for live views. */
export type ConsumerEvent =
  | {
      type: 'negotiation'
      toolId: bigint
      provider: Address
      state: string
      /** The offers side by side and who dropped out why, for live views. */
      detail?: NegotiationDetail
    }
  | { type: 'channel'; toolId: bigint; provider: Address; channelId: Hex; deposit: bigint }
  | {
      type: 'call'
      /** Undefined for a URL called through `x402Tool`. */
      toolId: bigint | undefined
      provider: Address
      price: bigint
      ok: boolean
      code?: string
      /** How it was paid, and why that rail. */
      rail: Rail
      railReason: string
      /** The channel it was paid through (channel calls). */
      channelId?: Hex | undefined
      /** From sending the paid call to its answer (channel calls that were answered). */
      latencyMs?: number | undefined
    }

/** Service levels a consumer may insist on when offers compete. */
export type WantedSla = { p95LatencyMs?: number; callsPerMinute?: number }

/**
 * How calls choose between a gotong channel and x402 when a listing offers both: with at least
 * `channelFrom` calls expected (default 3) a channel is negotiated, with fewer each call pays
 * with x402; without `expectedCalls`, channels.
 */
export type RailPolicy = { expectedCalls?: number | undefined; channelFrom?: number | undefined }

/** Limits on what a relationship may cost: the highest price per call and a budget. */
export type SpendLimits = { maxPrice?: bigint | undefined; budget?: Budget | undefined }

export type CreateConsumerParameters = {
  account: NegotiationSigner & { address: Address }
  chainId: number
  directory: Address
  channels: Address
  publicClient: PublicClient
  wallet: ChannelWallet
  transport: TransportClient
  /** Where each provider is reachable: filled from the manifests' endpoints. */
  peers: Map<string, string>
  payer: Payer
  index: DirectoryIndex
  budget?: Budget | undefined
  /** Pays listings' x402 entries (within `budget`), when the rail policy chooses x402. */
  x402?: X402Payer | undefined
  /** The rail policy: calls expected per tool (unset: channels) and from how many a channel pays (3). */
  rail?: RailPolicy | undefined
  /** Calls to fund a new channel for (deposit = calls × price, at least the provider's minimum). */
  callsPerChannel?: bigint
  challengePeriod?: number
  now?: () => number
  onEvent?: ((event: ConsumerEvent) => void) | undefined
  /**
   * How long the directory index's sync behind the check that a tool's manifest still matches
   * the approved one is reused (default 1,000 ms): a change mined on chain is refused after at
   * most this window, and calls don't each wait on the chain.
   */
  toolCheckTtlMs?: number | undefined
  /**
   * A JSON-lines file of this agent's agreements and their channels, so a later process (a
   * second `gotong call`) reuses an open channel instead of funding a new one.
   */
  relationshipsFile?: string | undefined
  /**
   * A provider's reputation, 0 to 1, from its listing (undefined: unknown); with it, competing
   * offers are ranked by `reputationWeighted` with `reputationScoring`.
   */
  reputation?: ((listing: Listing) => Promise<number | undefined>) | undefined
  reputationScoring?: ReputationWeightedOptions | undefined
  /** The ProviderStake contract, where providers' stake is read (`minStake`). */
  providerStake?: Address | undefined
  /**
   * Providers must keep at least this much stake (base units) behind a tool for a new
   * agreement with them: the others' offers are not asked for (`STAKE_TOO_LOW` if none is left).
   */
  minStake?: bigint | undefined
  /**
   * Every receipt of a channel call, once checked, with the relationship it was paid through,
   * the call's input, and whether a spot check re-bought it.
   */
  onReceipt?: ((paid: PaidReceipt) => void) | undefined
  /** Admit only the listings this policy accepts (see `CreateAgentParameters.requireAttestation`). */
  requireAttestation?: ListingPolicy | undefined
}

/**
 * A consumer's filter over verified listings, such as `requireAttestation` of
 * `@gotong/attestation` (a verified TEE attestation bound to the provider and its manifest).
 */
export type ListingPolicy = {
  filter(listings: readonly Listing[]): Promise<{ accepted: readonly Listing[] }>
}

/** A checked receipt of a channel call, as `onReceipt` is given it. */
export type PaidReceipt = {
  relationship: Relationship
  receipt: SignedReceipt
  input: unknown
  spotCheck: boolean
}

/** The body of a paid call, as sent (and re-sent) to the provider. */
export type CallBody = { termsHash: Hex; input: unknown; payment: unknown }

/**
 * Signs (or signs again) a call's voucher for the envelope it goes out in, by that envelope's
 * struct hash (zero where no envelope carries it, as over A2A), and returns the payment.
 */
export type PayCall = (envelopeHash: Hex) => Promise<VoucherPayment>

/** A call sent with no answer back: re-sent before the channel signs anything newer. */
export type Unanswered = {
  /** The relationship it was paid under: its channel may carry others' calls too. */
  relationship: Relationship
  issued: IssuedVoucher
  /** The call's body without its payment, which is signed for each envelope it goes out in. */
  body: Omit<CallBody, 'payment'>
  idempotencyKey: string
  requestHash: Hex
}
