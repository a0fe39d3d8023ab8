import { type Agreement, contentHash } from '@gotong/core'
import type { Listing } from '@gotong/directory/node'
import type { SignedReceipt } from '@gotong/payments'
import type { Address, Hex } from 'viem'
import type { AgentContext } from '../agent/agentContext.js'
import type { PaidReceipt } from '../consumer/types.js'
import { AgentError } from '../errors.js'
import { findPayeeAgent } from '../identity/findPayeeAgent.js'
import { giveFeedback } from '../identity/giveFeedback.js'
import type { FeedbackResult } from '../identity/types.js'
import { agreedManifest, termsOfManifest, toolDefinitionHash } from './agreedManifest.js'
import { type RecordValidationReturnType, recordValidation } from './recordValidation.js'

/** `trust.spotCheck`: how often a deterministic tool's paid answer is bought again to check it. */
export type SpotCheckOptions = {
  /** The fraction of deterministic calls checked, 0 to 1 (0.05: one call in twenty). */
  rate: number
  /** Uniform in [0, 1): draws which calls are checked (default `Math.random`). */
  random?: (() => number) | undefined
  /**
   * Record what a check proves on chain (default true): a validation of 0 for the provider in
   * the wrong (100 for those in the right) in the ERC-8004 validation registry, this agent as
   * validator, and a feedback of 0 through the receipt gateway.
   */
  record?: boolean | undefined
  /** Each check, once its calls are bought and its findings recorded. */
  onSpotCheck?: ((result: SpotCheckResult) => void) | undefined
}

/** One provider's answer to the checked input, with the receipt it signed for it. */
export type SpotCheckAnswer = {
  toolId: bigint
  provider: Address
  responseHash: Hex
  receipt: SignedReceipt
}

/**
 * What a check found: `consistent` (the provider gave its answer again and no other provider
 * of the tool could be asked), `agreed`, `equivocated` (it answered the same request two ways
 * under one agreement: slashable, and reported by the equivocation policy), `wrong` (a majority
 * of providers gave another answer; the minority are in `wrong`), `disputed` (answers differ
 * with no majority: two providers alone cannot tell who is right, so nothing is recorded).
 */
export type SpotCheckVerdict = 'consistent' | 'agreed' | 'equivocated' | 'wrong' | 'disputed'

export type SpotCheckResult = {
  verdict: SpotCheckVerdict
  /** The hash of the tool's name and schemas, shared by every provider asked. */
  definitionHash: Hex
  /** The hash of the checked input. */
  inputHash: Hex
  /** The call that was sampled. */
  original: SpotCheckAnswer
  /** The same provider asked again, under the same agreement. */
  reasked: SpotCheckAnswer | undefined
  /** Other providers of the same definition, in the order asked. */
  peers: SpotCheckAnswer[]
  /** Providers proven or outvoted wrong. */
  wrong: Address[]
  /** Calls bought again for this check, and what they cost (base units). */
  calls: number
  spent: bigint
  validations: (RecordValidationReturnType & { provider: Address; agentId: bigint })[]
  feedback: FeedbackResult[]
  /** Steps that failed (a peer that refused, a record the chain refused); the check goes on. */
  failures: { step: string; error: unknown }[]
}

/** What checking has cost this agent so far. */
export type TrustStats = {
  /** Paid channel calls of deterministic tools (spot checks' own excluded), and their cost. */
  deterministicCalls: number
  deterministicSpent: bigint
  spotChecks: number
  /** Calls bought again by spot checks, and their cost: the price of checking. */
  rebought: number
  reboughtSpent: bigint
  /** Checks that found an equivocation or a wrong answer. */
  mismatches: number
}

/** The counters of an agent that has made no checks (or has no spot-check policy). */
export const noChecks: Readonly<TrustStats> = {
  deterministicCalls: 0,
  deterministicSpent: 0n,
  spotChecks: 0,
  rebought: 0,
  reboughtSpent: 0n,
  mismatches: 0,
}

/** The agent's spot checker: samples receipts, checks them in the background, counts the cost. */
export type SpotChecker = {
  /** Sees one paid receipt; returns the check it started, if this call was sampled. */
  observe(paid: PaidReceipt): Promise<SpotCheckResult | undefined> | undefined
  stats(): TrustStats
}

/**
 * A spot checker over the agent's consumer. A sampled call of a deterministic tool is bought
 * again from the same provider (a different answer under one agreement proves equivocation,
 * which the evidence keeper reports) and from another provider whose manifest has the same
 * tool definition hash; if they disagree, a third breaks the tie. What it proves is recorded
 * (see `SpotCheckOptions.record`). Only channel calls are sampled.
 *
 * @example
 * const checker = createSpotChecker({ options: { rate: 0.05 }, agent: () => context, isDeterministic })
 */
export function createSpotChecker(parameters: {
  options: SpotCheckOptions
  agent: () => AgentContext
  isDeterministic(agreement: Agreement): Promise<boolean>
}): SpotChecker {
  const { options } = parameters
  if (!(options.rate >= 0 && options.rate <= 1))
    throw new AgentError(
      'SPOT_CHECK_INVALID',
      `trust.spotCheck.rate must be between 0 and 1, not ${options.rate}.`,
    )
  const random = options.random ?? Math.random
  const stats: TrustStats = { ...noChecks }
  const known = new Map<string, Promise<boolean>>()
  const deterministic = (agreement: Agreement, termsHash: Hex) => {
    let found = known.get(termsHash)
    if (!found) {
      found = parameters.isDeterministic(agreement).catch(() => false)
      known.set(termsHash, found)
    }
    return found
  }
  return {
    observe(paid) {
      if (paid.spotCheck) return undefined
      const { agreement } = paid.relationship.agreement
      return deterministic(agreement, paid.relationship.agreement.termsHash).then(async (yes) => {
        if (!yes) return undefined
        stats.deterministicCalls++
        stats.deterministicSpent += agreement.pricePerCall
        if (!(random() < options.rate)) return undefined
        stats.spotChecks++
        const result = await check(parameters.agent(), paid, options)
        stats.rebought += result.calls
        stats.reboughtSpent += result.spent
        if (result.verdict === 'equivocated' || result.verdict === 'wrong') stats.mismatches++
        options.onSpotCheck?.(result)
        return result
      })
    },
    stats: () => ({ ...stats }),
  }
}

async function check(
  agent: AgentContext,
  paid: PaidReceipt,
  options: SpotCheckOptions,
): Promise<SpotCheckResult> {
  const { relationship, receipt, input } = paid
  const failures: SpotCheckResult['failures'] = []
  let calls = 0
  let spent = 0n
  const buy = async (
    toolId: bigint,
    provider: Address,
    step: string,
  ): Promise<SpotCheckAnswer | undefined> => {
    try {
      const answer = await agent.consumer.callChannel(toolId, input, { spotCheck: true })
      calls++
      spent += answer.price
      return answerOf(toolId, provider, answer.receipt)
    } catch (error) {
      failures.push({ step, error })
      return undefined
    }
  }
  const original = answerOf(relationship.toolId, relationship.provider, receipt)
  const manifest = await agreedManifest(agent.index, relationship.agreement.agreement).catch(
    (error: unknown) => void failures.push({ step: 'manifest', error }),
  )
  const definitionHash = manifest ? toolDefinitionHash(manifest) : contentHash(null)
  const inputHash = contentHash(input ?? null)
  const reasked = await buy(relationship.toolId, relationship.provider, 'reask')
  const peers: SpotCheckAnswer[] = []
  // An answer given two ways is proven wrong already: no peer is bought to say so.
  const equivocated = reasked !== undefined && reasked.responseHash !== original.responseHash
  const candidates =
    manifest && !equivocated
      ? await peersOf(agent, relationship.provider, manifest).catch((error: unknown) => {
          failures.push({ step: 'peers', error })
          return []
        })
      : []
  for (const listing of candidates) {
    const answer = await buy(listing.toolId, listing.creator, `peer ${listing.toolId}`)
    if (!answer) continue
    peers.push(answer)
    // One peer that agrees settles it; a disagreement needs a third answer to break the tie.
    if (answer.responseHash === original.responseHash || peers.length === 2) break
  }
  const { verdict, wrong, right } = judge(original, reasked, peers)
  const result: SpotCheckResult = {
    verdict,
    definitionHash,
    inputHash,
    original,
    reasked,
    peers,
    wrong: wrong.map((a) => a.provider),
    calls,
    spent,
    validations: [],
    feedback: [],
    failures,
  }
  if (options.record !== false && (verdict === 'equivocated' || verdict === 'wrong'))
    await recordFindings(agent, result, wrong, right)
  return result
}

/** The verdict over the answers, and whose answers it finds wrong and right. */
function judge(
  original: SpotCheckAnswer,
  reasked: SpotCheckAnswer | undefined,
  peers: SpotCheckAnswer[],
): { verdict: SpotCheckVerdict; wrong: SpotCheckAnswer[]; right: SpotCheckAnswer[] } {
  if (reasked && reasked.responseHash !== original.responseHash)
    // Its own two receipts prove it, whatever other providers would answer.
    return { verdict: 'equivocated', wrong: [original], right: [] }
  if (peers.length === 0) return { verdict: 'consistent', wrong: [], right: [] }
  const answers = [original, ...peers]
  const votes = new Map<Hex, number>()
  for (const a of answers) votes.set(a.responseHash, (votes.get(a.responseHash) ?? 0) + 1)
  if (votes.size === 1) return { verdict: 'agreed', wrong: [], right: [] }
  const [top, count] = [...votes].sort((a, b) => b[1] - a[1])[0]!
  if (count * 2 <= answers.length) return { verdict: 'disputed', wrong: [], right: [] }
  return {
    verdict: 'wrong',
    wrong: answers.filter((a) => a.responseHash !== top),
    right: answers.filter((a) => a.responseHash === top),
  }
}

/**
 * Other verified, live, deterministic providers of the same tool definition (not this agent's
 * own tools, not the checked provider's), found by the manifest's first tag or its name.
 */
async function peersOf(
  agent: AgentContext,
  provider: Address,
  manifest: NonNullable<Listing['manifest']>,
): Promise<Listing[]> {
  const definitionHash = toolDefinitionHash(manifest)
  const tag = manifest.tags?.[0]
  await agent.index.sync()
  const hits = await agent.index.search(
    tag ? { tags: [tag], limit: 100 } : { text: manifest.name, limit: 100 },
  )
  const excluded = new Set([provider.toLowerCase(), agent.account.address.toLowerCase()])
  return hits
    .flatMap((hit) => hit.offers)
    .filter(
      (l) =>
        l.status === 'verified' &&
        !l.deregistered &&
        l.manifest !== undefined &&
        !excluded.has(l.creator.toLowerCase()) &&
        termsOfManifest(l.manifest)?.deterministic === true &&
        toolDefinitionHash(l.manifest) === definitionHash,
    )
    .sort((a, b) => (a.toolId < b.toolId ? -1 : a.toolId > b.toolId ? 1 : 0))
}

/**
 * Validations (0 for the wrong, 100 for the right, the receipts compared as evidence) and a
 * feedback of 0 for each wrong provider's channel. A provider with no ERC-8004 identity, or a
 * deployment without the registries, is skipped as a failure.
 */
async function recordFindings(
  agent: AgentContext,
  result: SpotCheckResult,
  wrong: SpotCheckAnswer[],
  right: SpotCheckAnswer[],
): Promise<void> {
  const compared = [result.original, result.reasked, ...result.peers].filter(
    (a): a is SpotCheckAnswer => a !== undefined,
  )
  const evidence = {
    type: 'gotong.spot-check',
    verdict: result.verdict,
    definitionHash: result.definitionHash,
    inputHash: result.inputHash,
    receipts: compared.map((a) => ({ toolId: a.toolId, provider: a.provider, signed: a.receipt })),
  }
  const { validationRegistry } = agent.contracts
  const rated = [
    ...wrong.map((a) => ({ answer: a, response: 0 as const })),
    ...right.map((a) => ({ answer: a, response: 100 as const })),
  ]
  for (const { answer, response } of rated) {
    try {
      if (!validationRegistry)
        throw new AgentError('VALIDATION_REFUSED', 'This deployment has no ValidationRegistry.')
      const agentId = await findPayeeAgent(agent, answer.provider, answer.toolId)
      if (agentId === undefined)
        throw new AgentError(
          'VALIDATION_REFUSED',
          `Provider ${answer.provider} is no ERC-8004 agent: its validation cannot be recorded.`,
        )
      const recorded = await recordValidation(
        { walletClient: agent.wallet, publicClient: agent.publicClient },
        {
          validationRegistry,
          agentId,
          response,
          evidence,
          queue: (transaction) => agent.consumer.queue(transaction),
        },
      )
      result.validations.push({ ...recorded, provider: answer.provider, agentId })
    } catch (error) {
      result.failures.push({ step: `validation ${answer.provider}`, error })
    }
  }
  for (const answer of wrong)
    try {
      const channelId = answer.receipt.receipt.channelId
      result.feedback.push(...(await giveFeedback(agent, { channelId, value: 0 })))
    } catch (error) {
      result.failures.push({ step: `feedback ${answer.provider}`, error })
    }
}

function answerOf(toolId: bigint, provider: Address, receipt: SignedReceipt): SpotCheckAnswer {
  return {
    toolId,
    provider,
    responseHash: receipt.receipt.responseHash,
    receipt,
  }
}
