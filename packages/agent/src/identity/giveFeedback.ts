import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { receiptFeedbackGatewayAbi } from '@gotong/contracts'
import type { Agreement } from '@gotong/core'
import { Erc8004Error, giveReceiptFeedback, readAgent } from '@gotong/identity'
import type { SignedReceipt } from '@gotong/payments'
import type { Hex } from 'viem'
import type { AgentContext } from '../agent/agentContext.js'
import { SavedRelationship } from '../consumer/savedRelationships.js'
import { feedbackValue } from './feedbackValue.js'
import { findPayeeAgent } from './findPayeeAgent.js'
import type { FeedbackResult, GiveFeedbackOptions } from './types.js'

/**
 * Gives feedback through the receipt gateway for the calls this agent paid: per channel, one
 * feedback backed by the channel's newest receipt, valued by the feedback policy from the calls
 * recorded since the channel's last one. Without options every channel with paid calls not yet
 * rated; give it before a channel closes (the gateway refuses receipts of closed channels).
 * A channel or receipt named explicitly throws what the gateway refuses (`FEEDBACK_REFUSED`,
 * its error as `reason`) or `FEEDBACK_NO_RECEIPT`; in bulk, channels are skipped with a reason.
 */
export async function giveFeedback(
  agent: AgentContext,
  options: GiveFeedbackOptions = {},
): Promise<FeedbackResult[]> {
  gatewayOf(agent)
  if (options.receipt)
    return [await rateChannel(agent, options.receipt.receipt.channelId, options, true)]
  if (options.channelId) return [await rateChannel(agent, options.channelId, options, true)]
  let channels = [
    ...new Set([
      ...agent.state.identity.outcomes.keys(),
      ...agent.payer.vouchers(undefined, 'served').map((v) => v.channelId),
    ]),
  ].filter((channelId) => agent.payer.getChannel(channelId)?.status !== 'closed')
  if (options.agentId !== undefined) {
    const wallet = await agentWalletOf(agent, options.agentId)
    channels = channels.filter(
      (channelId) => agent.payer.getChannel(channelId)?.key.payee.toLowerCase() === wallet,
    )
    if (!channels.some((channelId) => newestReceipt(agent, channelId)))
      throw new Erc8004Error(
        'FEEDBACK_NO_RECEIPT',
        `This agent holds no receipt of a call it paid agent ${options.agentId}: feedback through the gateway needs one.`,
      )
  }
  const results: FeedbackResult[] = []
  for (const channelId of channels)
    results.push(await rateChannel(agent, channelId, options, false))
  return results
}

/**
 * Rates one channel (one at a time per channel). `strict`: a channel with nothing to rate, or a
 * refusal, throws instead of coming back as skipped.
 */
export function rateChannel(
  agent: AgentContext,
  channelId: Hex,
  options: GiveFeedbackOptions,
  strict: boolean,
): Promise<FeedbackResult> {
  const { rating } = agent.state.identity
  const run = (rating.get(channelId) ?? Promise.resolve())
    .catch(() => undefined)
    .then(() => rate(agent, channelId, options, strict))
  rating.set(channelId, run)
  const forget = () => {
    if (rating.get(channelId) === run) rating.delete(channelId)
  }
  run.then(forget, forget)
  return run
}

async function rate(
  agent: AgentContext,
  channelId: Hex,
  options: GiveFeedbackOptions,
  strict: boolean,
): Promise<FeedbackResult> {
  const gateway = gatewayOf(agent)
  const { outcomes } = agent.state.identity
  // The calls this feedback rates; calls recorded meanwhile wait for the next.
  const rated = outcomes.get(channelId)?.length ?? 0
  const skip = (reason: string): FeedbackResult => {
    if (strict) throw new Erc8004Error('FEEDBACK_NO_RECEIPT', `Channel ${channelId}: ${reason}.`)
    // Calls that cannot be rated now (nothing paid since, a provider with no identity) are
    // dropped rather than tried again after every call.
    outcomes.get(channelId)?.splice(0, rated)
    return { given: false, channelId, reason }
  }
  const channel = agent.payer.getChannel(channelId)
  if (!channel) return skip('not a channel this agent paid through')
  const receipt = options.receipt ?? newestReceipt(agent, channelId)
  if (!receipt) return skip('no paid call with a receipt')
  if (!options.receipt) {
    const counted = await agent.publicClient.readContract({
      address: gateway,
      abi: receiptFeedbackGatewayAbi,
      functionName: 'countedOf',
      args: [channelId],
    })
    if (receipt.receipt.cumulativeAmount <= counted)
      return skip('no paid call since its last feedback')
  }
  const agreement = agreementOf(agent, receipt.receipt.termsHash)
  if (!agreement) return skip("the agreement of its receipt is not in this agent's store")
  const agentId =
    options.agentId ?? (await findPayeeAgent(agent, channel.key.payee, agreement.toolId))
  if (agentId === undefined) return skip(`its payee ${channel.key.payee} is no ERC-8004 agent`)
  const recorded = outcomes.get(channelId)?.slice(0, rated) ?? []
  const policy = agent.parameters.feedback
  const scoreOf = (policy && policy !== true && policy.value) || feedbackValue
  const value = clamp(options.value ?? scoreOf(recorded, agreement))
  const endpoint = await agent.consumer.listing(agreement.toolId).then(
    (listing) => listing.manifest?.endpoint ?? '',
    () => '',
  )
  try {
    const given = await agent.consumer.queue(() =>
      giveReceiptFeedback(agent.wallet, {
        gateway,
        agentId,
        feedback: { value: BigInt(value), endpoint },
        key: channel.key,
        agreement,
        receipt,
      }),
    )
    outcomes.get(channelId)?.splice(0, rated)
    return {
      given: true,
      channelId,
      agentId,
      toolId: given.toolId,
      value,
      amount: given.amount,
      calls: recorded.length,
      feedbackIndex: given.feedbackIndex,
      transactionHash: given.transactionHash,
      gasUsed: given.gasUsed,
    }
  } catch (error) {
    if (strict || !(error instanceof Erc8004Error)) throw error
    return { given: false, channelId, reason: error.reason ?? error.code, error }
  }
}

function gatewayOf(agent: AgentContext) {
  const gateway = agent.contracts.receiptFeedbackGateway
  if (!gateway)
    throw new Erc8004Error(
      'ERC8004_NOT_DEPLOYED',
      'This deployment names no receipt feedback gateway: redeploy (gotong devnet) to give paid feedback.',
    )
  return gateway
}

/** The receipt of the channel's newest served call. */
function newestReceipt(agent: AgentContext, channelId: Hex): SignedReceipt | undefined {
  let newest: SignedReceipt | undefined
  for (const voucher of agent.payer.vouchers(channelId, 'served'))
    if (voucher.receipt && (!newest || voucher.receipt.receipt.calls > newest.receipt.calls))
      newest = voucher.receipt
  return newest
}

/** The agreement a receipt's terms hash names, from the relationships this agent saved. */
function agreementOf(agent: AgentContext, termsHash: Hex): Agreement | undefined {
  const file = join(agent.store, 'relationships.jsonl')
  if (!existsSync(file)) return undefined
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.toLowerCase().includes(termsHash.toLowerCase())) continue
    try {
      const saved = SavedRelationship.safeParse(JSON.parse(line))
      if (saved.success && saved.data.agreement.termsHash.toLowerCase() === termsHash.toLowerCase())
        return saved.data.agreement.agreement
    } catch {
      // A line cut short by a crash.
    }
  }
  return undefined
}

async function agentWalletOf(agent: AgentContext, agentId: bigint): Promise<string | undefined> {
  const identityRegistry = agent.contracts.identityRegistry
  if (!identityRegistry) return undefined
  return (await readAgent(agent.publicClient, { identityRegistry, agentId })).wallet?.toLowerCase()
}

function clamp(value: number): number {
  return Math.min(100, Math.max(0, Math.round(value)))
}
