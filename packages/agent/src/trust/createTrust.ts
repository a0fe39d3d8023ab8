import { join } from 'node:path'
import type { Deployments } from '@gotong/chain'
import { providerStakeAbi } from '@gotong/contracts'
import { type Agreement, GotongTerms, gotongTermsKey } from '@gotong/core'
import type { DirectoryIndex } from '@gotong/directory/node'
import type { ChannelWallet } from '@gotong/payments/payer'
import type { PublicClient } from 'viem'
import { type Amount, toBaseUnits } from '../agent/amounts.js'
import type { CreateConsumerParameters } from '../consumer/types.js'
import { AgentError } from '../errors.js'
import { createEvidenceStore, type Equivocation, type EvidenceStore } from './evidenceStore.js'
import {
  createEvidenceKeeper,
  type EquivocationOutcome,
  type EquivocationPolicy,
} from './keepEvidence.js'
import { type ReportEquivocationReturnType, reportEquivocation } from './reportEquivocation.js'

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
}

/** The agent's trust parts: its evidence, the report action, and what its consumer is given. */
export type AgentTrust = {
  readonly evidence: AgentEvidence
  report(equivocation: Equivocation): Promise<ReportEquivocationReturnType>
  readonly consumer: Pick<CreateConsumerParameters, 'providerStake' | 'minStake' | 'onReceipt'>
}

/** The agent's evidence store, and a way to wait for receipts still being kept or reported. */
export type AgentEvidence = EvidenceStore & {
  /** Resolves once every receipt received so far is kept and its equivocation, if any, settled. */
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
  const keeper = createEvidenceKeeper({
    store: evidence,
    policy,
    isDeterministic: async (agreement) => (await termsOf(index, agreement))?.deterministic === true,
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
  const pending = new Set<Promise<unknown>>()
  const minStake = options.minStake === undefined ? undefined : toBaseUnits(options.minStake)
  return {
    evidence: {
      ...evidence,
      settled: async () => {
        while (pending.size) await Promise.allSettled([...pending])
      },
    },
    report,
    consumer: {
      ...(providerStake ? { providerStake } : {}),
      ...(minStake !== undefined ? { minStake } : {}),
      onReceipt: ({ relationship, receipt }) => {
        const kept = keeper.keep({ agreement: relationship.agreement.agreement, receipt })
        pending.add(kept)
        void kept.finally(() => pending.delete(kept))
      },
    },
  }
}

/** The gotong terms of the agreed version's manifest, as the directory index has it. */
async function termsOf(
  index: DirectoryIndex,
  agreement: Agreement,
): Promise<GotongTerms | undefined> {
  const listing = await index.getListing(agreement.toolId)
  const manifestHash = agreement.manifestHash.toLowerCase()
  const manifest =
    listing?.manifestHash.toLowerCase() === manifestHash
      ? listing.manifest
      : listing?.versions.find((v) => v.manifestHash.toLowerCase() === manifestHash)?.manifest
  const terms = GotongTerms.safeParse(manifest?.[gotongTermsKey])
  return terms.success ? terms.data : undefined
}
