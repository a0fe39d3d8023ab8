import type { SignedX402Receipt } from '@gotong/core'
import type { Budget } from '@gotong/payments'
import type { SettleResponse } from '@x402/core/types'
import type { Address, Hex, PublicClient } from 'viem'
import type { X402Ledger, X402Payment } from '../ledger/types.js'
import type { TypedDataAccount } from './guardedSigner.js'

/** What an x402 payer is made of: an account, its chain, what it can price, and its budgets. */
export type X402PayerParameters = {
  /** Signs the EIP-3009 authorizations (a viem `LocalAccount`). */
  account: TypedDataAccount
  chainId: number
  /** Assets the payer can price on its chain: gUSD. Offers in anything else are refused. */
  assets: readonly Address[]
  /** Reads whether an authorization was used, when a response leaves it unclear. */
  publicClient: Pick<PublicClient, 'readContract' | 'getLogs' | 'getBlockNumber'>
  /** Where each payment is kept (`direction: 'paid'`): reserved before signing, then settled or failed. */
  ledger?: X402Ledger | undefined
  /** Budgets every payment is held against, before anything is signed (the payer's own). */
  budgets?: readonly Budget[] | undefined
  /** x402 v1 names of this chain (`base-sepolia`), beyond those x402 knows for it. */
  v1Networks?: readonly string[] | undefined
  /** The gotong EIP-712 domain providers sign receipts under (`verifyingContract`: PaymentChannels). */
  receiptDomain?: { verifyingContract: Address } | undefined
  fetch?: typeof globalThis.fetch | undefined
  now?: (() => number) | undefined
}

/** One request to an x402 endpoint, and the limits of what it may pay. */
export type X402Request = {
  url: string
  /** `POST` when there is a body, `GET` otherwise. */
  method?: string | undefined
  headers?: Record<string, string> | undefined
  /** Sent as is (a JSON text, say); with `contentType`. */
  body?: string | undefined
  contentType?: string | undefined
  /** The most this request may pay, in base units. */
  maxPrice?: bigint | undefined
  /** Budgets of this request (a call's, a toolkit's), on top of the payer's own. */
  budgets?: readonly Budget[] | undefined
  /** The only payee this request may pay (a listing's recipient): budgets' allowlists see it too. */
  payee?: Address | undefined
  /** Who signs the gotong receipt, if one comes: the payee by default. */
  receiptSigner?: Address | undefined
  /** Kept in the ledger: the tool's name. */
  tool?: string | undefined
  /**
   * The request's hash, kept in the ledger and checked against the receipt's: a hash, or how to
   * make one from the authorization's nonce (gotong's `x402RequestHash` binds it).
   */
  requestHash?: Hex | ((authorizationNonce: Hex) => Hex) | undefined
  signal?: AbortSignal | undefined
}

/** A request's answer: the body, and what was paid for it, if anything. */
export type X402Answer = {
  status: number
  /** JSON when the server said so, text otherwise. */
  body: unknown
  /** The payment as the ledger keeps it: `settled`, or `reserved` while in doubt; none if free. */
  payment: X402Payment | undefined
  /** The provider's signed receipt, verified against the payment and the body. */
  receipt: SignedX402Receipt | undefined
  /** The server's `PAYMENT-RESPONSE` (`X-PAYMENT-RESPONSE` in v1). */
  settlement: SettleResponse | undefined
}

/** Pays x402 endpoints within budgets; see `createX402Payer`. */
export type X402Payer = {
  readonly address: Address
  /** One request, paid if the endpoint asks (HTTP 402) and the policy allows. */
  pay(request: X402Request): Promise<X402Answer>
}
