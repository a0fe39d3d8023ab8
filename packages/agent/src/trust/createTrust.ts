import { join } from 'node:path'
import type { Deployments } from '@gotong/chain'
import { providerStakeAbi } from '@gotong/contracts'
import type { Agreement } from '@gotong/core'
import type { DirectoryIndex } from '@gotong/directory/node'
import type { ChannelWallet } from '@gotong/payments/payer'
import type { PublicClient } from 'viem'
import type { AgentContext } from '../agent/agentContext.js'
import { type Amount, toBaseUnits } from '../agent/amounts.js'
import type { CreateConsumerParameters } from '../consumer/types.js'
import { AgentError } from '../errors.js'
import { agreedManifest, termsOfManifest } from './agreedManifest.js'
import { createEvidenceStore, type Equivocation, type EvidenceStore } from './evidenceStore.js'
import {
  createEvidenceKeeper,
  type EquivocationOutcome,
  type EquivocationPolicy,
} from './keepEvidence.js'
import { type ReportEquivocationReturnType, reportEquivocation } from './reportEquivocation.js'
import { createSpotChecker, noChecks, type SpotCheckOptions, type TrustStats } from './spotCheck.js'

/** `createAgent`'s `trust` options: what this agent asks of providers and does with their lies. */
export type TrustOptions = {
  /** Agree only with providers that keep at least this stake behind the tool ("100" gUSD or base units). */
  minStake?: Amount | undefined
  /**
   * Receipts of tools whose manifest says `deterministic: true`: `report` (default where the
   * deployment has ProviderStake) keeps them and slashes a provider that answers one request
   * two ways at once; `keep` only keeps them; `false` keeps nothing.
   */
  equivocation?: EquivocationPolicy | undefined
  /** Each equivocation found, reported or not. */
  onEquivocation?: ((outcome: EquivocationOutcome) => void) | undefined
  /**
   * Buy a sampled fraction of deterministic calls again, from the same provider and from
   * another of the same tool definition, and record what the comparison proves (off by default).
   */
  spotCheck?: SpotCheckOptions | undefined
}

/** The agent's trust parts: its evidence, the report action, and what its consumer is given. */
export type AgentTrust = {
  readonly evidence: AgentEvidence
  report(equivocation: Equivocation): Promise<ReportEquivocationReturnType>
  /** What spot checks have cost so far (zeros without `spotCheck`). */
  stats(): TrustStats
  readonly consumer: Pick<CreateConsumerParameters, 'providerStake' | 'minStake' | 'onReceipt'>
}

/** The agent's evidence store, and a way to wait for receipts still being kept or reported. */
export type AgentEvidence = EvidenceStore & {
  /**
   * Resolves once every receipt received so far is kept, its equivocation, if any, settled, and
   * every spot check started so far finished.
   */
  settled(): Promise<void>
}

/**
 * Wires stake and evidence for `createAgent`: an evidence store in `<store>/evidence.jsonl`, a
 * keeper fed by every checked channel receipt, and the consumer's `minStake`.
 */
export function createTrust(parameters: {
  options: TrustOptions | undefined
  store: string
  contracts: Deployments['contracts']
  publicClient: PublicClient
  wallet: ChannelWallet
  index: DirectoryIndex
  /** The agent's transaction queue (one nonce sequence per wallet). */
  queue: <T>(transaction: () => Promise<T>) => Promise<T>
  /** The agent, once it exists: spot checks buy through its consumer and record as it. */
  agent: () => AgentContext
}): AgentTrust {
  const { options = {}, contracts, publicClient, wallet, index } = parameters
  const providerStake = contracts.providerStake
  const policy = options.equivocation ?? (providerStake ? 'report' : false)
  const evidence = createEvidenceStore(
    policy === false ? {} : { file: join(parameters.store, 'evidence.jsonl') },
  )
  const report = (equivocation: Equivocation) => {
    if (!providerStake)
      throw new AgentError('STAKE_UNAVAILABLE', 'This deployment has no ProviderStake contract.')
    return parameters.queue(() =>
      reportEquivocation({ walletClient: wallet, publicClient }, { providerStake, equivocation }),
    )
  }
  const isDeterministic = async (agreement: Agreement) =>
    termsOfManifest(await agreedManifest(index, agreement))?.deterministic === true
  const keeper = createEvidenceKeeper({
    store: evidence,
    policy,
    isDeterministic,
    isDeclared: async ({ provider, manifestHash }) =>
      providerStake
        ? publicClient.readContract({
            address: providerStake,
            abi: providerStakeAbi,
            functionName: 'isDeterministic',
            args: [provider, manifestHash],
          })
        : false,
    report,
    onEquivocation: options.onEquivocation,
  })
  const checker = options.spotCheck
    ? createSpotChecker({ options: options.spotCheck, agent: parameters.agent, isDeterministic })
    : undefined
  const pending = new Set<Promise<unknown>>()
  const track = (work: Promise<unknown> | undefined) => {
    if (!work) return
    // Neither the keeper nor the checker rejects (each turns its failures into results).
    pending.add(work)
    void work.finally(() => pending.delete(work))
  }
  const minStake = options.minStake === undefined ? undefined : toBaseUnits(options.minStake)
  return {
    evidence: {
      ...evidence,
      settled: async () => {
        while (pending.size) await Promise.allSettled([...pending])
      },
    },
    report,
    stats: () => checker?.stats() ?? { ...noChecks },
    consumer: {
      ...(providerStake ? { providerStake } : {}),
      ...(minStake !== undefined ? { minStake } : {}),
      onReceipt: (paid) => {
        const { relationship, receipt } = paid
        track(keeper.keep({ agreement: relationship.agreement.agreement, receipt }))
        track(checker?.observe(paid))
      },
    },
  }
}
