import type { Agreement } from '@gotong/core'
import type { AgentRegistrationFileInput, RegistrationService } from '@gotong/identity'
import type { SignedReceipt } from '@gotong/payments'
import type { Address, Hash, Hex, LocalAccount } from 'viem'
import type { z } from 'zod'

/**
 * The agent's ERC-8004 identity (`createAgent({ identity })`). By default an agent registers on
 * its first `serve` when the deployment has an identity registry, owned by its own account;
 * `false` turns registration off (`agent.register()` still registers on demand).
 */
export type IdentityOptions = {
  /**
   * Who owns the identity (the ERC-721 token): the agent's own account by default. Another
   * account (a cold key) registers it and sets the agent's account as its wallet with the
   * account's EIP-712 consent, so the key that signs receipts never holds the identity.
   */
  owner?: Hex | LocalAccount | undefined
  /**
   * An https URL where this agent's registration file is served (a proxy in front of
   * `/.well-known/agent-registration.json`): registered instead of a `data:` URI.
   */
  uri?: string | undefined
  description?: string | undefined
  image?: string | undefined
  /** Further services for the file: the MCP gateway in front of the agent, a web page, … */
  services?: readonly z.input<typeof RegistrationService>[] | undefined
  /** Register on the first `serve` (default true). */
  onServe?: boolean | undefined
}

/** Where and as what the agent is registered. */
export type AgentIdentity = {
  agentId: bigint
  identityRegistry: Address
  /** `eip155:<chainId>:<identityRegistry>`. */
  agentRegistry: string
  owner: Address
  /** The agent's account: it signs receipts and is paid. */
  wallet: Address
  /** The URI registered on chain: a `data:` URI unless `identity.uri` names an https one. */
  agentURI: string
  /** The registration file it resolves to (also served at `/.well-known/agent-registration.json`). */
  registration: AgentRegistrationFileInput
}

/** One paid call's outcome as the feedback policy weighs it. */
export type FeedbackOutcome = {
  ok: boolean
  /** The provider's refusal code, for a failed call. */
  code?: string | undefined
  /** From sending the paid call to its answer. */
  latencyMs?: number | undefined
}

/**
 * Feedback a consumer agent gives automatically, through the receipt gateway, for the calls it
 * paid (`createAgent({ feedback })`; off by default: each feedback is a transaction whose gas
 * the agent pays, and it publishes a review under the agent's address). Calls are batched per
 * channel: one feedback per channel per batch, backed by the channel's newest receipt.
 */
export type FeedbackPolicy = {
  /** Calls per channel per feedback (default 10); `agent.giveFeedback()` flushes sooner. */
  batch?: number | undefined
  /**
   * The value of a batch, 0 to 100. By default each call counts 100 when served within the
   * agreed p95 latency (or without one), 50 when served slower, 0 when the provider failed it
   * (`HANDLER_FAILED`, `HANDLER_TIMEOUT`, `OUTPUT_INVALID`); the batch gets their rounded mean.
   */
  value?: ((outcomes: readonly FeedbackOutcome[], agreement: Agreement) => number) | undefined
  /** Each feedback given, or refused, in the background. */
  onFeedback?: ((result: FeedbackResult) => void) | undefined
}

/**
 * How providers' paid reputation weighs when offers compete (`createAgent({ reputation })`; off
 * by default): the ERC-8004 summary of the receipt gateway's feedback, 0 to 1, shrunk towards
 * 0.5 for agents with little of it, blended with the price score.
 */
export type ReputationScoring = {
  /** 0 to 1: the reputation's share of an offer's score (default 0.5). */
  weight?: number | undefined
  /** Offers below this reputation are out (0 to 1; none by default). */
  minimum?: number | undefined
  /** Phantom feedback at 0.5 each agent starts with (default 2). */
  prior?: number | undefined
}

/** Options of `agent.giveFeedback()`. */
export type GiveFeedbackOptions = {
  /** Only this channel's calls (default: every channel with paid calls not yet rated). */
  channelId?: Hex | undefined
  /** This receipt instead of the channel's newest. */
  receipt?: SignedReceipt | undefined
  /** The agent rated (default: the one the tool's manifest names, checked against the payee). */
  agentId?: bigint | undefined
  /** The value, 0 to 100 (default: the policy's, from the calls recorded). */
  value?: number | undefined
}

/** One channel's feedback: given, or skipped and why. */
export type FeedbackResult =
  | {
      given: true
      channelId: Hex
      agentId: bigint
      toolId: bigint
      value: number
      /** What the receipt newly paid: what the feedback stands for. */
      amount: bigint
      calls: number
      feedbackIndex: bigint
      transactionHash: Hash
      gasUsed: bigint
    }
  | { given: false; channelId: Hex; reason: string; error?: unknown }
