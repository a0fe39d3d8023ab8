import type { SignedX402Receipt } from '@gotong/core'
import type { Address, Hex } from 'viem'

/**
 * - `reserved`: the authorization is claimed for one call (nothing settled yet);
 * - `settled`: the transfer is on chain (its transaction known);
 * - `failed`: nothing was settled: the call failed, the settlement failed, or it was refused.
 */
export type X402PaymentStatus = 'reserved' | 'settled' | 'failed'

/** One call paid over x402 `exact`, as the provider (`earned`) or the consumer (`paid`) keeps it. */
export type X402Payment = {
  direction: 'earned' | 'paid'
  payer: Address
  payee: Address
  /** The EIP-3009 authorization's nonce: one transfer, so one call. */
  authorizationNonce: Hex
  /** CAIP-2, `eip155:31337`. */
  network: string
  asset: Address
  amount: bigint
  /** The URL paid for. */
  resource: string
  /** The tool's name, when the resource is a tool. */
  tool: string | undefined
  requestHash: Hex | undefined
  status: X402PaymentStatus
  transaction: Hex | undefined
  /** The provider's signed receipt, when it gave one. */
  receipt: SignedX402Receipt | undefined
  /** Why it failed, for `failed`. */
  failure: string | undefined
  /** Milliseconds since the epoch. */
  createdAt: number
  settledAt: number | undefined
}

/** What identifies a payment: its direction, its payer and the authorization's nonce. */
export type X402PaymentKey = Pick<X402Payment, 'direction' | 'payer' | 'authorizationNonce'>

/**
 * Durable record of x402 payments. An authorization nonce is reserved before anything runs, once
 * and for all: a second reservation of the same payer's nonce (a replay, or one authorization
 * shown to two tools) is refused, whatever became of the first.
 */
export type X402Ledger = {
  /** Records a new payment as `reserved`; false if this payer's nonce was seen before. */
  reserve(
    payment: Omit<X402Payment, 'status' | 'transaction' | 'receipt' | 'failure' | 'settledAt'>,
  ): boolean
  /** The transfer is on chain. */
  settle(
    key: X402PaymentKey,
    outcome: { transaction: Hex; receipt?: SignedX402Receipt | undefined; settledAt: number },
  ): void
  /** Nothing was settled, and why. */
  fail(key: X402PaymentKey, reason: string): void
  get(key: X402PaymentKey): X402Payment | undefined
  list(filter?: { direction?: X402Payment['direction']; status?: X402PaymentStatus }): X402Payment[]
  close(): void
}
