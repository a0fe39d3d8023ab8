import type { Deployments } from '@gotong/chain'
import type { DirectoryIndex } from '@gotong/directory/node'
import type { PricingPolicy } from '@gotong/negotiation'
import type { PayeeVoucher, PayerVoucher } from '@gotong/payments'
import type { ClaimPolicy, Payee, Settler, SettlerWarning } from '@gotong/payments/payee'
import type { Payer } from '@gotong/payments/payer'
import type { X402Payment } from '@gotong/x402'
import type { BaseChatModel } from '@langchain/core/language_models/chat_models'
import type { DynamicStructuredTool } from '@langchain/core/tools'
import type { Address, Hex, LocalAccount, PublicClient } from 'viem'
import type { z } from 'zod'
import type { X402Tool, X402ToolOptions } from '../consumer/createX402Tool.js'
import type {
  CallResult,
  ChannelCallResult,
  ConsumerEvent,
  ListingPolicy,
  RailPolicy,
  Relationship,
} from '../consumer/types.js'
import type { AgentEvents } from '../events/createAgentEvents.js'
import type {
  AgentIdentity,
  FeedbackPolicy,
  FeedbackResult,
  GiveFeedbackOptions,
  IdentityOptions,
  ReputationScoring,
} from '../identity/types.js'
import type { ModelSource } from '../llm/resolveModel.js'
import type { Gate } from '../provider/deployGate.js'
import type { Tool } from '../tool/defineTool.js'
import type { AgentEvidence, TrustOptions } from '../trust/createTrust.js'
import type { Equivocation } from '../trust/evidenceStore.js'
import type { ReportEquivocationReturnType } from '../trust/reportEquivocation.js'
import type { TrustStats } from '../trust/spotCheck.js'
import type { StakeOptions } from '../trust/stake.js'
import type { Amount, BudgetOption } from './amounts.js'

/** A chain with gotong deployed: `startDevnet()`'s result, or an RPC URL with a deployments file. */
export type Network = { rpcUrl: string; chainId: number; deployments: Deployments }

export type CreateAgentParameters = {
  /** A private key (fastest: native signing) or a viem LocalAccount. */
  account: Hex | LocalAccount
  network: Network
  name?: string
  /** Folder for the agent's SQLite state (vouchers, channels, directory index). */
  store?: string
  /**
   * The directory index: the agent's own SQLite file in `store` by default, or a shared indexer
   * (`gotong indexer start`) at `url`, which every agent of a swarm can read instead of each
   * indexing the whole directory.
   */
  index?: { url: string }
  /**
   * The payee's ledger (vouchers it accepts, receipts, claims): `payee.sqlite` in `store` by
   * default, or PostgreSQL at `url`, shared by every process with this key: each call is charged
   * once whichever process accepts it, a process killed mid-call leaves its call to the payer's
   * retry on another, and one process settles. Agreements and running negotiations are kept
   * there too, so any process answers any negotiation message and serves calls under terms
   * another agreed. Tables live in `schema` (default `payee_<address>`); `ledger().earned`
   * is then empty: `earned()` reads the shared ledger.
   */
  ledger?: { url: string; schema?: string }
  /**
   * How durable each payment write is. `full` (default): every commit is synced to disk, so a
   * voucher or receipt survives power loss. `process`: commits survive a killed or crashed
   * process but not a power loss or OS crash, which may forget the last moments of payments
   * (a payee may then fail to claim its newest calls; a payer's re-signed vouchers are refused
   * as replays, never paid twice). Several times faster per call.
   */
  durability?: 'full' | 'process'
  /** Any LangChain chat model; otherwise ChatOpenAI from OPENAI_* variables, if set. */
  llm?: BaseChatModel
  /**
   * Spending limits for everything this agent pays, whichever way a call comes: a `Budget`
   * (`createBudget` from `@gotong/payments`), or just the most it may spend ("5" gUSD, or base
   * units as a bigint).
   */
  budget?: BudgetOption
  /**
   * Sends the agent's requests to other agents with this `fetch` (a proxy, instrumentation).
   * Without it, Node's `node:http` with a keep-alive pool: several times cheaper per call.
   */
  fetch?: typeof globalThis.fetch
  /** Where to serve tools (127.0.0.1 and a free port by default). */
  host?: string
  port?: number
  /**
   * The URL consumers reach this agent at, when it is not where it listens: a balancer in front
   * of replicas of this agent (same key, same `ledger`). Listings and the registration file
   * name it; replicas serving the same tool publish one listing (the first) and reuse it.
   */
  publicUrl?: string
  /** Token gates: check this many blocks behind the head; reuse verdicts this long. */
  gate?: { confirmations?: number; ttlMs?: number }
  /** When the agent cashes its vouchers (checked every `settleEveryMs`); it always answers closes at once. */
  claimPolicy?: ClaimPolicy
  /** How often a serving agent asks the chain for closes of its channels (default 2,000 ms). */
  watchIntervalMs?: number
  /**
   * What a serving agent must act on before it costs money: claims failing or missed at a
   * close, an RPC that keeps failing, going offline with calls unclaimed. By default each is a
   * Node process warning (`GOTONG_<code>` on stderr).
   */
  onWarning?: (warning: SettlerWarning) => void
  /** How often the claim policy is applied while serving (default 1,000 ms). */
  settleEveryMs?: number
  /** Calls a new channel is funded for (default 100). */
  callsPerChannel?: bigint
  /** Challenge period of channels this agent opens, in seconds (default 3,600). */
  challengePeriod?: number
  now?: () => number
  /** Every call served or refused. */
  onCall?: (event: { tool: string; caller: Address; ok: boolean; code?: string }) => void
  /** How long a version check's index sync is reused (default 1,000 ms; 0: every call). */
  toolCheckTtlMs?: number
  /**
   * What the agent does as a consumer: negotiation states, channels opened, calls paid (and on
   * which rail).
   */
  onEvent?: (event: ConsumerEvent) => void
  /**
   * When a listing offers both a gotong channel and x402: with at least `channelFrom` calls
   * expected of a tool (default 3) a channel is negotiated, with fewer each call pays with x402.
   * `expectedCalls` here is the default of every `call` and `toolkit`; without it, channels.
   */
  rail?: RailPolicy
  /**
   * The agent's event stream (`agent.events`, and `GET /events` on its endpoint as Server-Sent
   * Events). Without a `token` only loopback readers are served; with one, any reader that
   * sends it. `buffer`: events kept for readers that connect later (default 1,000).
   */
  events?: { token?: string; buffer?: number }
  /**
   * The agent's ERC-8004 identity: by default it registers on its first `serve` when the
   * deployment has an identity registry (its registration file served at its endpoint and at
   * `/.well-known/agent-registration.json`); `false` registers only on `agent.register()`.
   */
  identity?: IdentityOptions | false
  /**
   * Feedback on the calls this agent pays, given through the receipt gateway (ERC-8004
   * reputation only a paying client can give): `true` or a policy turns it on; off by default.
   */
  feedback?: FeedbackPolicy | boolean
  /** Weigh providers' paid reputation when their offers compete (off by default). */
  reputation?: ReputationScoring
  /**
   * Stake and evidence: the least stake a provider must keep behind a tool (`minStake`), and
   * what to do with receipts of deterministic tools (`equivocation`: report a provider that
   * answers one request two ways, by default where ProviderStake is deployed), and spot checks
   * (`spotCheck`: re-buy a sampled fraction of deterministic calls to compare answers).
   */
  trust?: TrustOptions
  /**
   * Use only tools whose listings this policy accepts, e.g. `requireAttestation({ … })` of
   * `@gotong/attestation`: providers proven to run in an Intel TDX guest (off by default).
   */
  requireAttestation?: ListingPolicy
}

export type ServeOptions = {
  /** Price per call: base units, or a decimal string in the token's units ("0.002"). */
  price: bigint | string
  /** Token gate, enforced on chain through the tool's access predicate. */
  gate?: Gate
  /** A pricing policy (discounts, surcharges); by default the flat `price`. */
  pricing?: PricingPolicy
  sla?: { p95LatencyMs: number; callsPerMinute: number }
  quota?: { callsPerChannel?: number; callsPerDay?: number }
  /** Smallest deposit accepted (default: price × 10). */
  minDeposit?: bigint
  /** Handler time limit in milliseconds (default: 30 s). */
  timeoutMs?: number
  /**
   * Promises equal answers to equal requests: `deterministic: true` in the manifest's terms and,
   * where ProviderStake is deployed, declared there for each version, so two receipts that
   * answer one request two ways slash this agent's stake.
   */
  deterministic?: boolean
  /**
   * The tool's x402 face at `<endpoint>/x402` (x402 v2, `exact` on gUSD), listed as a second
   * pricing entry: on by default for a price above zero; `false` turns it off. By default the
   * agent is its own facilitator (settling with its wallet, paying the gas); `facilitator`
   * names an x402 facilitator service by URL instead.
   */
  x402?: boolean | { facilitator?: string }
}

export type ServedTool = {
  toolId: bigint
  ref: string
  manifestHash: Hex
  accessPredicate: Address | null
  /** The tool's x402 URL (listed in its manifest), or undefined when it has no x402 face. */
  x402Url: string | undefined
  /**
   * Publishes a new manifest version (a new description, new schemas, new extensions, a new
   * model); lineage is kept on chain. Calls after it resolves are checked against the new
   * `input` and `output`.
   */
  update(
    tool: Partial<
      Pick<
        Tool,
        | 'description'
        | 'version'
        | 'tags'
        | 'input'
        | 'output'
        | 'jsonSchema'
        | 'extensions'
        | 'model'
      >
    >,
  ): Promise<Hex>
}

/** Which directory tools `agent.toolkit()` turns into LangChain tools, and what they may cost. */
export type ToolkitOptions = {
  query?: string
  tags?: string[]
  toolIds?: readonly bigint[]
  /** The most one call may cost ("0.002" gUSD, or base units). */
  maxPrice?: Amount
  /** What the toolkit's calls may spend in all, on top of the agent's own budget. */
  budget?: BudgetOption
  limit?: number
  /** Calls expected of each tool: fewer than the rail policy's `channelFrom` pay with x402. */
  expectedCalls?: number
}

/**
 * Options of `agent.call()`. A budget given here applies on top of the agent's own, however the
 * tool's channel was funded.
 */
export type CallOptions = {
  maxPrice?: Amount
  budget?: BudgetOption
  /** Calls expected of this tool: fewer than the rail policy's `channelFrom` pay with x402. */
  expectedCalls?: number
}

/** Options of `agent.negotiate()`. */
export type NegotiateOptions = {
  maxPrice?: Amount
  budget?: BudgetOption
  sla?: { p95LatencyMs?: number; callsPerMinute?: number }
}

/** Options of `agent.run()`. */
export type RunOptions = {
  tools?: DynamicStructuredTool[]
  systemPrompt?: string
  /** Calls expected of each tool of the toolkit made for the run (when `tools` is not given). */
  expectedCalls?: number
}

export type Agent = {
  readonly name: string
  readonly address: Address
  /** The agent's HTTP base URL, once it serves something. */
  readonly url: string | undefined
  readonly modelSource: ModelSource
  /** The chain it works on and gotong's contracts there. */
  readonly network: Network
  /** Where its state lives (SQLite stores, agreements, relationships). */
  readonly store: string
  readonly publicClient: PublicClient
  readonly payer: Payer
  readonly payee: Payee
  readonly settler: Settler
  readonly index: DirectoryIndex
  /** Everything the agent does, as typed events: for live views (`@gotong/ui`). */
  readonly events: AgentEvents
  /** Publishes a tool to the directory and serves it, priced and optionally gated. */
  serve(tool: Tool, options: ServeOptions): Promise<ServedTool>
  /** Directory tools as LangChain tools; calling one negotiates, pays and checks the receipt. */
  toolkit(options?: ToolkitOptions): Promise<DynamicStructuredTool[]>
  /** One paid call of a directory tool. */
  call(toolId: bigint, input: unknown, options?: CallOptions): Promise<CallResult>
  /**
   * One paid call of a tool over A2A (`cardUrl`: the serving agent's base URL or its agent card's
   * URL): agrees and funds a channel through gotong on first use, then pays each call with a
   * voucher in `SendMessage`; the receipt is checked as on gotong's own route.
   */
  a2aCall(
    cardUrl: string,
    toolId: bigint,
    input: unknown,
    options?: Omit<CallOptions, 'expectedCalls'>,
  ): Promise<ChannelCallResult>
  /**
   * Any x402 endpoint as a tool: `pay(input)` makes one paid call (x402 v1 or v2, `exact` in
   * gUSD, within `maxPrice` and every budget), and the tool goes in `run({ tools })` as is.
   */
  x402Tool<I extends z.ZodType, O extends z.ZodType>(
    url: string,
    options: X402ToolOptions<I, O>,
  ): Promise<X402Tool<I, O>>
  /**
   * Negotiates with every provider of a capability (a manifest tag) at once and agrees with the
   * best offer; later `call`s of the returned tool use that agreement and its channel.
   */
  negotiate(capability: string, options?: NegotiateOptions): Promise<Relationship>
  /**
   * Approves a tool's current manifest version (again, after it changed). With `pinned`, a
   * manifest hash approved before (kept by the caller across restarts): calls are refused with
   * `TOOL_CHANGED` unless the tool still has it.
   */
  approve(toolId: bigint, pinned?: Hex): Promise<Hex>
  /** The LLM loop: pursue a goal with the toolkit (or the tools given). */
  run(goal: string, options?: RunOptions): Promise<{ output: string; toolCalls: number }>
  /** Every call this agent paid for and every call it was paid for, each with its receipt. */
  ledger(): {
    paid: PayerVoucher[]
    earned: PayeeVoucher[]
    /** Calls paid over x402, one transfer each: earned by its tools' x402 faces, and paid. */
    x402: { earned: X402Payment[]; paid: X402Payment[] }
  }
  /**
   * Every call this agent was paid for, with its receipt, read from its payee ledger: on a
   * shared ledger (`ledger: { url }`), every replica's calls, which `ledger().earned` leaves out.
   */
  earned(): Promise<PayeeVoucher[]>
  /**
   * Registers the agent as an ERC-8004 agent (or finds its earlier registration) and brings its
   * registration file up to date; `services` are added to the file from now on (an MCP gateway).
   */
  register(options?: { services?: IdentityOptions['services'] }): Promise<AgentIdentity>
  /** The agent's ERC-8004 identity, once registered. */
  readonly identity: AgentIdentity | undefined
  /**
   * Gives feedback through the receipt gateway for the calls this agent paid: one per channel,
   * backed by its newest receipt. Give it before closing a channel.
   */
  giveFeedback(options?: GiveFeedbackOptions): Promise<FeedbackResult[]>
  /**
   * Bonds gUSD at ProviderStake behind one of this agent's tools (`toolId`) or all of them:
   * shown in listings, required by consumers' `minStake`, slashed for a proven equivocation.
   */
  stake(amount: Amount, options?: StakeOptions): Promise<{ staked: bigint; transactionHash: Hex }>
  /** Asks stake back; it can be withdrawn at `unlockAt` (unix seconds) and is slashable until then. */
  unstake(
    amount: Amount,
    options?: StakeOptions,
  ): Promise<{ unlockAt: bigint; transactionHash: Hex }>
  /** Withdraws stake asked back once its delay has passed. */
  withdrawStake(options?: StakeOptions): Promise<{ withdrawn: bigint; transactionHash: Hex }>
  /** Receipts of deterministic tools this agent paid for, kept as evidence. */
  readonly evidence: AgentEvidence
  /** What `trust.spotCheck` has checked and what re-buying cost (base units). */
  trustStats(): TrustStats
  /** Slashes a provider for an equivocation; this agent's consumer side is paid the reward. */
  reportEquivocation(equivocation: Equivocation): Promise<ReportEquivocationReturnType>
  /** Stops serving, watching and closes the stores. */
  stop(): Promise<void>
}
