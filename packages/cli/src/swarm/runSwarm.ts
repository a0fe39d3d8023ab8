import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Agent, ConsumerEvent, FeedbackResult } from '@gotong/agent'
import { defaultGoal, runJob, start as startOrchestrator } from '@gotong/agent-orchestrator'
import type { RunningAgent } from '@gotong/agent-runner'
import { createClients, type Deployments } from '@gotong/chain'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { accessPassAbi, gotongTokenAbi } from '@gotong/contracts'
import { formatAmount } from '@gotong/core'
import { createBudget } from '@gotong/payments'
import type { UiServer } from '@gotong/ui'
import type { Address, Hex, PublicClient } from 'viem'
import { type ClosedChannel, closeChannels } from './closeChannels.js'
import { countTransactions, type TransactionCount } from './countTransactions.js'
import { type SwarmTrust, startDishonestProvider, swarmTrust } from './dishonestProvider.js'
import { hostFor, type SwarmHosts } from './hosts/createHosts.js'
import { type HostIndexer, startHostIndexer } from './hosts/startHostIndexer.js'
import { swarmProviders } from './providers.js'
import { type PublishedTool, publishedTools } from './publishedTools.js'
import { spawnProvider } from './spawnProvider.js'
import { type AgentBook, swarmBooks } from './swarmBooks.js'
import { type ProviderReputation, swarmReputation } from './swarmReputation.js'
import { type SwarmViewOptions, startSwarmView, urlOfReadyLine } from './swarmView.js'

export type SwarmOptions = {
  /** Providers to start (5 kinds; more repeat them). */
  agents: number
  /** Every provider in its own Node process, talking HTTP on loopback. */
  processes: boolean
  /**
   * The hosts to run on (`--hosts 3`, made by `createHosts`): the chain on the first, the
   * providers, each in its own process, on the second; this process must be on the third.
   */
  hosts?: SwarmHosts
  /** A CSV dataset; the bundled sample of product reviews by default. */
  dataset?: string
  goal?: string
  /** The most the orchestrator may spend, in base units (no limit by default). */
  budget?: bigint
  /** Live lines as the swarm works. */
  log: (line: string) => void
  /**
   * Add a provider that sells a lying deterministic tool cheaper than the honest one; the
   * orchestrator spot-checks deterministic calls, so it is caught and slashed during the job.
   */
  dishonest?: boolean
  /** Serve the live view of the swarm (`--ui`). */
  ui?: SwarmViewOptions
  /**
   * Runs once the result is read, against the live devnet, before anything stops: a check by
   * an outside client, say.
   */
  beforeTeardown?: (swarm: {
    network: Network
    result: SwarmResult
    orchestrator: Agent
  }) => Promise<void>
}

export type { AgentBook } from './swarmBooks.js'

/** The swarm's chain: its RPC URL, chain id and gotong's deployment on it. */
export type Network = { rpcUrl: string; chainId: number; deployments: Deployments }

export type SwarmResult = {
  modelSource: string
  /** The chain's RPC URL (on the chain's host with `hosts`). */
  rpcUrl: string
  hosts?: SwarmHosts
  /** The directory's tools with their manifests' endpoints, as the orchestrator's index has them. */
  tools: PublishedTool[]
  /** The orchestrator's directory index: its SQLite file, or the shared indexer's URL. */
  index: string
  report: string
  books: AgentBook[]
  channels: ClosedChannel[]
  /**
   * The transactions the job cost on chain, from the orchestrator's start to its last channel's
   * finalize: opens, claims, closes, feedback and the rest, each counted by kind.
   */
  transactions: TransactionCount
  /**
   * Each provider's ERC-8004 agent and its reputation from paid calls (the orchestrator rated
   * every channel through the receipt gateway before closing it).
   */
  reputation: ProviderReputation[]
  receiptsVerified: number
  calls: number
  /** With `dishonest`: the spot checks, what they cost, and the slashes. */
  trust?: SwarmTrust
  balanced: boolean
  problems: string[]
  /** Whether the orchestrator's job did what it was asked, and if not, which steps failed and why. */
  job: { ok: boolean; problems: string[] }
  ms: number
}

/**
 * The main job: a devnet, a handful of provider agents, and an orchestrator that profiles a
 * dataset by buying their tools: it searches the directory, weighs competing offers (one of
 * them token-gated, for which it holds a pass), negotiates, pays per call, then closes its
 * channels. The books must balance to the unit: on chain, in the payer's ledger and in every
 * provider's ledger.
 */
export async function runSwarm(options: SwarmOptions): Promise<SwarmResult> {
  const started = performance.now()
  const { log } = options
  const kinds = swarmProviders(options.agents)
  const dir = mkdtempSync(join(tmpdir(), 'gotong-swarm-'))
  const deploymentsFile = join(dir, 'deployments.json')
  const chainHost = options.hosts && hostFor(options.hosts, 'chain')
  const devnet: Devnet = await startDevnet({
    // The deployer, the providers, the orchestrator, and a dishonest provider if asked for.
    accounts: kinds.length + 3,
    deploymentsFile,
    ...(chainHost ? { host: chainHost.address, commandPrefix: chainHost.exec } : {}),
  })
  const network = {
    rpcUrl: devnet.rpcUrl,
    chainId: devnet.chainId,
    deployments: devnet.deployments!,
  }
  const { contracts } = network.deployments
  const children: ChildProcess[] = []
  const inProcess: RunningAgent[] = []
  let orchestrator: RunningAgent | undefined
  let view: UiServer | undefined
  let indexer: HostIndexer | undefined
  try {
    if (options.ui) view = await startSwarmView(network, options.ui)
    log(`devnet ${devnet.rpcUrl} (chain ${devnet.chainId}), gotong deployed`)
    // The shared index on the chain's host, where it has PostgreSQL; else each agent's own.
    if (options.hosts?.databaseUrl) {
      const { databaseUrl } = options.hosts
      indexer = await startHostIndexer(
        { ...options.hosts, databaseUrl },
        { rpcUrl: devnet.rpcUrl, deploymentsFile },
        (line) => log(`[indexer] ${line}`),
      )
      log(`shared directory index (Ponder on PostgreSQL) at ${indexer.url}`)
    }
    const balance = (who: Address) =>
      devnet.publicClient.readContract({
        address: contracts.gotongToken,
        abi: gotongTokenAbi,
        functionName: 'balanceOf',
        args: [who],
      })

    // The orchestrator holds an access pass (id 1) for the token-gated premium tool.
    const orchestratorAccount = devnet.accounts[kinds.length + 1]!
    const owner = createClients({
      rpcUrl: devnet.rpcUrl,
      chainId: devnet.chainId,
      privateKey: devnet.accounts[0]!.privateKey,
    })
    const minted = await owner.walletClient!.writeContract({
      address: contracts.accessPass,
      abi: accessPassAbi,
      functionName: 'mint',
      args: [orchestratorAccount.address, 1n, 1n, '0x'],
    })
    await devnet.publicClient.waitForTransactionReceipt({ hash: minted })
    log(`orchestrator ${orchestratorAccount.address} holds AccessPass #1`)

    // Providers, in this process or each in its own.
    const providers: { name: string; address: Address; store: string }[] = []
    for (const [i, kind] of kinds.entries()) {
      const account = devnet.accounts[i + 1]!
      const store = join(dir, kind.kind)
      if (options.processes || options.hosts) {
        const child = await spawnProvider(
          kind.kind.replace(/-\d+$/, ''),
          {
            GOTONG_RPC_URL: devnet.rpcUrl,
            GOTONG_DEPLOYMENTS: deploymentsFile,
            GOTONG_PRIVATE_KEY: account.privateKey,
            GOTONG_STORE: store,
          },
          (line) => {
            // Its stream is read over HTTP at the URL it prints once it serves.
            const url = urlOfReadyLine(line)
            if (url) view?.add({ url, name: kind.kind })
            log(`[${kind.kind}] ${line}`)
          },
          options.hosts && hostFor(options.hosts, 'providers'),
        )
        children.push(child)
      } else {
        const running = await kind.start({
          network,
          account: account.privateKey,
          name: kind.kind,
          store,
          agent: {
            onCall: (e) =>
              log(
                `[${kind.kind}] ${e.ok ? 'served' : `refused (${e.code})`} ${e.tool} for ${short(e.caller)}`,
              ),
          },
        })
        inProcess.push(running)
        view?.add({ events: running.agent.events, address: account.address, name: kind.kind })
        for (const tool of running.served)
          log(
            `[${kind.kind}] serves ${tool.name} at ${formatAmount(tool.price, 6)} gUSD/call${tool.accessPredicate ? ' (token-gated)' : ''}`,
          )
      }
      providers.push({ name: kind.kind, address: account.address, store })
    }
    if (options.dishonest) {
      const account = devnet.accounts[kinds.length + 2]!
      const store = join(dir, 'dishonest-provider')
      const running = await startDishonestProvider({
        network,
        account: account.privateKey,
        store,
      })
      inProcess.push(running)
      view?.add({
        events: running.agent.events,
        address: account.address,
        name: running.agent.name,
      })
      log(`[${running.agent.name}] serves a lying dataset-stats, staked and declared deterministic`)
      providers.push({ name: running.agent.name, address: account.address, store })
    }
    const trust = options.dishonest ? swarmTrust(log) : undefined

    const firstBlock = await devnet.publicClient.getBlockNumber()
    const before = new Map<string, bigint>()
    for (const who of [...providers.map((p) => p.address), orchestratorAccount.address])
      before.set(who, await balance(who))

    // Every channel the orchestrator funds, including those whose calls all failed: each is
    // closed at the end, so its deposit comes back.
    const funded = new Set<Hex>()
    const feedback: FeedbackResult[] = []
    const onEvent = (e: ConsumerEvent) => {
      if (e.type === 'channel') funded.add(e.channelId)
      if (e.type === 'negotiation') log(`[orchestrator] negotiation → ${e.state}`)
      else if (e.type === 'channel')
        log(
          `[orchestrator] channel ${short(e.channelId)} to ${short(e.provider)} funded with ${formatAmount(e.deposit, 6)} gUSD`,
        )
      else
        log(
          `[orchestrator] ${e.ok ? 'paid' : `refused (${e.code})`} call of tool ${e.toolId} ${e.ok ? `${formatAmount(e.price, 6)} gUSD` : ''}`,
        )
    }
    orchestrator = await startOrchestrator({
      network,
      account: orchestratorAccount.privateKey,
      name: 'orchestrator',
      store: join(dir, 'orchestrator'),
      reportPrice: false,
      agent: {
        onEvent,
        challengePeriod: 60,
        callsPerChannel: 20n,
        // It rates its providers through the receipt gateway, every 5 paid calls of a channel
        // and once more before closing it.
        feedback: { batch: 5, onFeedback: (r: FeedbackResult) => feedback.push(r) },
        ...(trust ? { trust: trust.options } : {}),
        ...(indexer ? { index: { url: indexer.url } } : {}),
        ...(options.budget !== undefined
          ? { budget: createBudget('swarm', { max: options.budget }) }
          : {}),
      },
    })
    const agent: Agent = orchestrator.agent
    view?.add({ events: agent.events, address: agent.address, name: 'orchestrator' })
    log(
      agent.modelSource === 'none'
        ? 'orchestrator: no OPENAI_API_KEY or OPENAI_BASE_URL set, planning with the deterministic planner'
        : `orchestrator: planning with the LLM (${agent.modelSource})`,
    )
    const dataset = options.dataset ?? readFileSync(sampleDataset(), 'utf8')
    const job = await runJob({
      agent,
      goal: options.goal ?? defaultGoal,
      dataset,
      log: (line) => log(`[orchestrator] ${line}`),
    })

    // Spot checks finish (and their slashes and records are mined) before anything is counted.
    await agent.evidence.settled()
    if (trust) feedback.push(...trust.feedback())
    // Feedback for every channel's paid calls, before the channels close: the gateway refuses
    // receipts of closed channels.
    const paid = agent.ledger().paid
    feedback.push(...(await agent.giveFeedback()))
    for (const r of feedback)
      if (r.given)
        log(
          `[orchestrator] feedback ${r.value}/100 for agent ${r.agentId} (tool ${r.toolId}), backed by ${formatAmount(r.amount, 6)} gUSD paid`,
        )
      else log(`[orchestrator] no feedback for channel ${short(r.channelId)}: ${r.reason}`)
    const channelIds = [...new Set([...funded, ...paid.map((v) => v.channelId)])]
    const channels = await closeChannels({
      devnet,
      agent,
      privateKey: orchestratorAccount.privateKey,
      channelIds,
      log,
    })
    const transactions = await countTransactions(
      devnet.publicClient as PublicClient,
      network.deployments,
      firstBlock,
      await devnet.publicClient.getBlockNumber(),
    )

    // The books: ledgers against the chain, to the unit.
    const served = paid.filter((v) => v.status === 'served')
    const { books, problems } = await swarmBooks({
      providers,
      orchestrator: orchestratorAccount.address,
      served,
      rewarded: trust?.rewarded() ?? 0n,
      before,
      balance,
    })
    const receiptsVerified = served.filter((v) => v.receipt).length
    if (receiptsVerified !== served.length)
      problems.push(`${served.length - receiptsVerified} calls have no verified receipt`)
    const rebought = agent.trustStats().rebought
    if (job.calls.length + rebought !== served.length)
      problems.push(
        `the job made ${job.calls.length} calls and its spot checks ${rebought}, the ledger has ${served.length}`,
      )
    for (const c of channels)
      if (c.status !== 'closed') problems.push(`channel ${c.channelId} is ${c.status}`)
    // The paid reputation is exactly the paid calls: every channel's money stood behind feedback.
    const reputation = await swarmReputation(
      devnet.publicClient as PublicClient,
      network.deployments,
      providers,
    )
    for (const r of reputation) {
      const paidTo = channels
        .filter((c) => c.provider === r.address)
        .reduce((s, c) => s + c.paid, 0n)
      const rated = feedback.filter((f) => f.given && f.agentId === r.agentId).length
      if (r.paid !== paidTo || r.feedbacks !== BigInt(rated))
        problems.push(
          `${r.name}: ${r.feedbacks} paid feedbacks for ${r.paid} on chain, but ${rated} given for ${paidTo} paid`,
        )
    }

    const result: SwarmResult = {
      modelSource: agent.modelSource,
      rpcUrl: devnet.rpcUrl,
      ...(options.hosts ? { hosts: options.hosts } : {}),
      tools: await publishedTools(agent),
      index: agent.index.store,
      report: job.report,
      books,
      channels,
      transactions,
      reputation,
      receiptsVerified,
      calls: served.length,
      ...(trust ? { trust: trust.result() } : {}),
      balanced: problems.length === 0,
      problems,
      job: { ok: job.ok, problems: job.problems },
      ms: Math.round(performance.now() - started),
    }
    await options.beforeTeardown?.({ network, result, orchestrator: agent })
    // The view stays up over the finished swarm (its chain and agents too) until told.
    await options.ui?.afterJob?.(result)
    return result
  } finally {
    await view?.close()
    await orchestrator?.stop()
    await indexer?.stop()
    for (const running of inProcess) await running.stop()
    for (const child of children) child.kill('SIGTERM')
    await Promise.all(
      children.map((c) =>
        c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined,
      ),
    )
    await devnet.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The bundled dataset: product reviews with ratings, prices and a few duplicate rows. */
export function sampleDataset(): string {
  // src/swarm and dist/swarm are both two levels below the package root.
  return fileURLToPath(new URL('../../assets/sample-reviews.csv', import.meta.url))
}

function short(hex: string): string {
  return `${hex.slice(0, 6)}…${hex.slice(-4)}`
}
