import type { Agreement } from '@gotong/core'
import type { Equivocation, Evidence, EvidenceStore } from './evidenceStore.js'
import type { ReportEquivocationReturnType } from './reportEquivocation.js'

/**
 * What a consumer does with receipts of tools that declare themselves deterministic: `report`
 * (the default where ProviderStake is deployed) keeps them and reports an equivocation on chain
 * at once; `keep` only keeps them (report later with `agent.reportEquivocation`); `false` keeps
 * nothing.
 */
export type EquivocationPolicy = 'report' | 'keep' | false

/** What became of an equivocation found in the consumer's evidence. */
export type EquivocationOutcome =
  | { equivocation: Equivocation; reported: true; result: ReportEquivocationReturnType }
  | {
      equivocation: Equivocation
      reported: false
      /** `kept`: the policy is `keep`; `not_declared`: not slashable (no on-chain declaration). */
      reason: 'kept' | 'not_declared' | 'failed'
      error?: unknown
    }

export type EvidenceKeeperParameters = {
  store: EvidenceStore
  policy: EquivocationPolicy
  /** Whether the agreed version's manifest says `deterministic: true`. */
  isDeterministic(agreement: Agreement): Promise<boolean>
  /** Whether the provider declared the version deterministic at ProviderStake (slashable). */
  isDeclared(agreement: Agreement): Promise<boolean>
  report(equivocation: Equivocation): Promise<ReportEquivocationReturnType>
  onEquivocation?: ((outcome: EquivocationOutcome) => void) | undefined
}

/** Keeps receipts as evidence by the policy, and reports the equivocations they prove. */
export type EvidenceKeeper = {
  /** Keeps one paid call's receipt; resolves with what became of an equivocation it proved. */
  keep(evidence: Evidence): Promise<EquivocationOutcome | undefined>
}

/**
 * An evidence keeper. Which versions are deterministic is asked once per agreement; a failure
 * to ask keeps nothing for that call rather than fail it (evidence is a bonus, not a condition).
 *
 * @example
 * const keeper = createEvidenceKeeper({ store, policy: 'report', isDeterministic, isDeclared, report })
 * consumer.onReceipt = ({ relationship, receipt }) => keeper.keep({ agreement: relationship.agreement.agreement, receipt })
 */
export function createEvidenceKeeper(parameters: EvidenceKeeperParameters): EvidenceKeeper {
  const deterministic = new Map<string, Promise<boolean>>()
  const { store, policy } = parameters
  const outcome = async (equivocation: Equivocation): Promise<EquivocationOutcome> => {
    if (policy !== 'report') return { equivocation, reported: false, reason: 'kept' }
    try {
      if (!(await parameters.isDeclared(equivocation.agreement)))
        return { equivocation, reported: false, reason: 'not_declared' }
      return { equivocation, reported: true, result: await parameters.report(equivocation) }
    } catch (error) {
      return { equivocation, reported: false, reason: 'failed', error }
    }
  }
  return {
    async keep(evidence) {
      if (policy === false) return undefined
      const termsHash = evidence.receipt.receipt.termsHash
      let known = deterministic.get(termsHash)
      if (!known) {
        known = parameters.isDeterministic(evidence.agreement).catch(() => false)
        deterministic.set(termsHash, known)
      }
      if (!(await known)) return undefined
      const equivocation = store.add(evidence)
      if (!equivocation) return undefined
      const result = await outcome(equivocation)
      parameters.onEquivocation?.(result)
      return result
    },
  }
}
