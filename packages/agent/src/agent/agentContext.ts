import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Deployments } from '@gotong/chain'
import type { SignedAgreement } from '@gotong/core'
import type { DirectoryIndex } from '@gotong/directory/node'
import type { AnyPayeeStore, DigestSigner, PayerStore } from '@gotong/payments'
import type { Payee, Settler, SettlerWarning } from '@gotong/payments/payee'
import type { ChannelWallet, Payer } from '@gotong/payments/payer'
import type { PgAgreementStore } from '@gotong/payments/pg'
import type { TransportClient, TransportServer } from '@gotong/transport'
import type { HttpListener } from '@gotong/transport/node'
import type { FacilitatorClient, X402Ledger } from '@gotong/x402'
import type { BaseChatModel } from '@langchain/core/language_models/chat_models'
import type { LocalAccount, PublicClient } from 'viem'
import type { A2aFace } from '../a2a/serveA2a.js'
import type { Consumer } from '../consumer/createConsumer.js'
import type { AgentEventHub } from '../events/createAgentEvents.js'
import type { EventReporter } from '../events/reportEvents.js'
import type { IdentityState } from '../identity/identityState.js'
import type { ModelSource } from '../llm/resolveModel.js'
import type { AgentTrust } from '../trust/createTrust.js'
import type { CreateAgentParameters } from './types.js'

/** What an agent's actions share: its parts, wired once by `createAgent`, and its state. */
export type AgentContext = {
  readonly parameters: CreateAgentParameters
  readonly name: string
  /** The folder of the agent's state. */
  readonly store: string
  readonly account: LocalAccount
  readonly signer: DigestSigner
  readonly chainId: number
  readonly contracts: Deployments['contracts']
  readonly publicClient: PublicClient
  readonly wallet: ChannelWallet
  readonly now: () => number
  readonly payer: Payer
  readonly payerStore: PayerStore
  readonly payee: Payee
  readonly payeeStore: AnyPayeeStore
  readonly settler: Settler
  /** Agreements and negotiations shared by replicas (with `ledger: { url }`). */
  readonly agreementStore: PgAgreementStore | undefined
  /** Calls paid (`paid`) and earned (`earned`) over x402, in `x402.sqlite`. */
  readonly x402Ledger: X402Ledger
  readonly index: DirectoryIndex
  readonly server: TransportServer
  readonly transport: TransportClient
  /** Where each provider is reachable: filled from the manifests' endpoints. */
  readonly peers: Map<string, string>
  readonly consumer: Consumer
  /** Checks a caller against a tool's gate (throws the wire error a refusal carries). */
  readonly gate: (toolId: bigint, caller: `0x${string}`) => Promise<void>
  readonly model: BaseChatModel | undefined
  readonly modelSource: ModelSource
  readonly warn: (warning: SettlerWarning) => void
  /** The agent's event stream, and how its parts report into it. */
  readonly events: AgentEventHub
  readonly report: EventReporter
  /** Where a serving agent keeps the agreements it signed, one JSON line each. */
  readonly agreementsFile: string
  /** Stake and evidence: the evidence store, the report action, the consumer's stake policy. */
  readonly trust: AgentTrust
  readonly state: AgentState
}

/** Answers one plain HTTP request (not a signed envelope) at a path the agent serves. */
export type PlainHandler = (request: IncomingMessage, response: ServerResponse) => void

/** What changes over an agent's life. */
export type AgentState = {
  /** Plain HTTP paths the agent answers beside its signed routes, by exact path. */
  plainRoutes: Map<string, PlainHandler>
  /** The HTTP endpoint, once the agent serves something. */
  listener: HttpListener | undefined
  /** Stops the watcher of closes. */
  unwatch: (() => void) | undefined
  settleTimer: ReturnType<typeof setInterval> | undefined
  /** Negotiation responders of served tools (their offers expire on timers). */
  responders: { stop(): void }[]
  /** Agreements signed before a restart, handed to tools served again. */
  savedAgreements: SignedAgreement[]
  /** x402 facilitators of served tools' x402 faces, made on first use: `local` or a URL. */
  x402Facilitators?: Map<string, FacilitatorClient>
  /** The A2A card and endpoint, mounted with the first tool served. */
  a2a?: A2aFace
  /** The ERC-8004 registration and the feedback owed on paid calls. */
  identity: IdentityState
  stopped: boolean
}

/** The default of `onWarning`: a Node process warning, `GOTONG_<code>` on stderr. */
export function processWarning(warning: SettlerWarning): void {
  process.emitWarning(warning.message, { code: `GOTONG_${warning.code}` })
}
