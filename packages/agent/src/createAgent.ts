import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createClients } from '@gotong/chain'
import { createDirectoryIndex, createRemoteIndex } from '@gotong/directory/node'
import { accountSigner, type DigestSigner, privateKeySigner } from '@gotong/payments'
import type { ChannelWallet } from '@gotong/payments/payer'
import { createHttpClient, createTransportServer } from '@gotong/transport'
import { createX402Payer } from '@gotong/x402'
import type { LocalAccount, PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { type AgentContext, processWarning } from './agent/agentContext.js'
import { toBudget } from './agent/amounts.js'
import { exposeAgent } from './agent/exposeAgent.js'
import { lazyIndex } from './agent/lazyIndex.js'
import { openPayments } from './agent/openPayments.js'
import type { Agent, CreateAgentParameters } from './agent/types.js'
import { createConsumer } from './consumer/createConsumer.js'
import { createAgentEvents } from './events/createAgentEvents.js'
import { createEventReporter } from './events/reportEvents.js'
import { serveEvents } from './events/serveEvents.js'
import { createReputationReader } from './identity/createReputationReader.js'
import { createIdentityState } from './identity/identityState.js'
import { recordOutcome } from './identity/recordOutcome.js'
import { resolveModel } from './llm/resolveModel.js'
import { createGateChecker } from './provider/gate.js'
import { loadAgreements } from './provider/savedAgreements.js'
import { createTrust } from './trust/createTrust.js'
import { typedDataSigner } from './typedSigner.js'

/**
 * Creates an agent: an identity with a wallet, durable payment state, a directory index, an
 * HTTP endpoint for the tools it serves, and an LLM loop over the tools it can buy. Each verb
 * lives in its own module and takes the agent's context; this only wires them.
 *
 * @example
 * const devnet = await startDevnet()
 * const agent = await createAgent({ account: devnet.accounts[1].privateKey, network: devnet })
 * await agent.serve(wordCount, { price: '0.002' })
 */
export async function createAgent(parameters: CreateAgentParameters): Promise<Agent> {
  const { network } = parameters
  const { chainId } = network
  const account: LocalAccount =
    typeof parameters.account === 'string'
      ? privateKeyToAccount(parameters.account)
      : parameters.account
  const signer: DigestSigner =
    typeof parameters.account === 'string'
      ? privateKeySigner(parameters.account)
      : accountSigner(account as LocalAccount & { sign: NonNullable<LocalAccount['sign']> })
  const name = parameters.name ?? `agent-${account.address.slice(2, 8).toLowerCase()}`
  const store = parameters.store ?? join('.gotong', 'agents', account.address.toLowerCase())
  mkdirSync(store, { recursive: true })
  const { contracts } = network.deployments
  const clients = createClients({ rpcUrl: network.rpcUrl, chainId, account })
  const publicClient = clients.publicClient as PublicClient
  const wallet = clients.walletClient as ChannelWallet
  const now = parameters.now ?? Date.now
  const budget = parameters.budget === undefined ? undefined : toBudget(parameters.budget, name)
  const payments = await openPayments({
    parameters,
    budget,
    store,
    signer,
    contracts,
    publicClient,
    wallet,
    now,
  })
  const events = createAgentEvents({
    agent: account.address,
    now,
    buffer: parameters.events?.buffer,
  })
  const report = createEventReporter({
    hub: events,
    address: account.address,
    payer: payments.payer,
    budget,
  })
  const index = parameters.index
    ? createRemoteIndex({ url: parameters.index.url })
    : lazyIndex(join(store, 'directory.sqlite'), () =>
        createDirectoryIndex({
          client: publicClient,
          address: contracts.toolDirectory,
          fromBlock: BigInt(network.deployments.startBlock),
          store: join(store, 'directory.sqlite'),
          chainId,
          fetchManifest: false,
        }),
      )
  const peers = new Map<string, string>()
  const transport = createHttpClient({
    signer: typedDataSigner(signer),
    chainId,
    peers: (address: string) => peers.get(address.toLowerCase()),
    now,
    ...(parameters.fetch ? { fetch: parameters.fetch } : {}),
  })
  const trust = createTrust({
    options: parameters.trust,
    store,
    contracts,
    publicClient,
    wallet,
    index,
    queue: (transaction) => consumer.queue(transaction),
    agent: () => context,
  })
  const consumer = createConsumer({
    account: typedDataSigner(signer),
    chainId,
    directory: contracts.toolDirectory,
    channels: contracts.paymentChannels,
    publicClient,
    wallet,
    transport,
    peers,
    payer: report.payer,
    index,
    budget,
    x402: createX402Payer({
      account,
      chainId,
      assets: [contracts.gotongToken],
      publicClient,
      ledger: payments.x402Ledger,
      budgets: budget ? [budget] : [],
      receiptDomain: { verifyingContract: contracts.paymentChannels },
      fetch: parameters.fetch,
      now,
    }),
    rail: parameters.rail,
    ...(parameters.callsPerChannel ? { callsPerChannel: parameters.callsPerChannel } : {}),
    ...(parameters.challengePeriod ? { challengePeriod: parameters.challengePeriod } : {}),
    now,
    onEvent: (event) => {
      report.consumer(event)
      recordOutcome(context, event)
      parameters.onEvent?.(event)
    },
    toolCheckTtlMs: parameters.toolCheckTtlMs,
    ...trust.consumer,
    relationshipsFile: join(store, 'relationships.jsonl'),
    requireAttestation: parameters.requireAttestation,
    ...(parameters.reputation
      ? {
          reputation: createReputationReader({
            publicClient,
            chainId,
            contracts,
            scoring: parameters.reputation,
          }),
          reputationScoring: {
            weight: parameters.reputation.weight,
            minimum: parameters.reputation.minimum,
          },
        }
      : {}),
  })
  const gate = createGateChecker({
    publicClient,
    directory: contracts.toolDirectory,
    ...parameters.gate,
    now,
  })
  const { model, source: modelSource } = resolveModel(parameters.llm)
  const agreementsFile = join(store, 'agreements.jsonl')
  // Consumer events (recorded for feedback) only come once the agent exists.
  const context: AgentContext = {
    parameters,
    name,
    store,
    account,
    signer,
    chainId,
    contracts,
    publicClient,
    wallet,
    now,
    ...payments,
    payer: report.payer,
    index,
    server: createTransportServer({ address: account.address, chainId, now }),
    transport,
    peers,
    consumer,
    gate,
    model,
    modelSource,
    warn: (warning) => {
      report.warning(warning)
      ;(parameters.onWarning ?? processWarning)(warning)
    },
    events,
    report,
    agreementsFile,
    trust,
    state: {
      plainRoutes: new Map([['/events', serveEvents(events, { token: parameters.events?.token })]]),
      listener: undefined,
      unwatch: undefined,
      settleTimer: undefined,
      responders: [],
      savedAgreements: loadAgreements(agreementsFile),
      identity: createIdentityState(),
      stopped: false,
    },
  }
  events.emit({ type: 'agent.started', name, chainId })
  return exposeAgent(context)
}
