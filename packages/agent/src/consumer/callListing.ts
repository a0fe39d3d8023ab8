import { chooseRail, type RailChoice, x402RequestHash } from '@gotong/x402'
import { AgentError } from '../errors.js'
import { type CallToolOptions, callTool } from './callTool.js'
import { checkToolVersion } from './checkToolVersion.js'
import type { ConsumerContext } from './consumerState.js'
import { getListing } from './getListing.js'
import { listingOffers } from './listingOffers.js'
import { payOverX402 } from './payOverX402.js'
import { requireStake } from './requireStake.js'
import type { CallResult } from './types.js'

/** Options of one call of a directory tool: limits, and how many calls the caller expects. */
export type CallListingOptions = CallToolOptions & {
  /** Calls the caller expects to make of this tool (the rail policy's input). */
  expectedCalls?: number | undefined
}

/**
 * One paid call of a directory tool, on the rail the policy chooses: through the tool's channel
 * (negotiated and funded on first use) or with one x402 transfer to its x402 URL. A tool whose
 * channel is already open keeps using it without reading its listing again.
 */
export async function callListing(
  consumer: ConsumerContext,
  toolId: bigint,
  input: unknown,
  options: CallListingOptions = {},
): Promise<CallResult> {
  const key = toolId.toString()
  const policy = consumer.rail ?? {}
  const open = consumer.state.relationships.has(key) || consumer.state.saved.has(key)
  if (open) return channel(consumer, toolId, input, options, openChannel)
  await checkToolVersion(consumer, toolId)
  const listing = await getListing(consumer, toolId)
  const offers = listingOffers(listing)
  const choice = chooseRail({
    offers: { channel: offers.channel, x402: offers.x402 !== undefined },
    expectedCalls: options.expectedCalls ?? policy.expectedCalls,
    channelFrom: policy.channelFrom,
  })
  if (choice.rail === 'channel') return channel(consumer, toolId, input, options, choice)
  const offer = offers.x402!
  const name = listing.manifest!.name
  // One transfer per call still trusts the provider's answer: the stake policy holds here too.
  await requireStake(consumer, [listing], `tool ${toolId}`)
  if (options.maxPrice !== undefined && offer.amount > options.maxPrice)
    throw new AgentError(
      'PRICE_TOO_HIGH',
      `Tool ${toolId} costs ${offer.amount} per call over x402, more than ${options.maxPrice}.`,
    )
  return payOverX402(consumer, {
    url: offer.endpoint,
    input,
    toolId,
    tool: name,
    payee: offer.recipient,
    provider: listing.creator,
    requestHash: (authorizationNonce) => x402RequestHash({ tool: name, authorizationNonce, input }),
    // The listed price binds: an endpoint asking more than its listing says is refused.
    maxPrice: offer.amount,
    budgets: [options.budget],
    railReason: choice.reason,
    signal: options.signal,
  })
}

const openChannel: RailChoice = {
  rail: 'channel',
  code: 'channel_open',
  reason: 'a funded channel to this tool is already open',
}

async function channel(
  consumer: ConsumerContext,
  toolId: bigint,
  input: unknown,
  options: CallListingOptions,
  choice: RailChoice,
): Promise<CallResult> {
  const { expectedCalls: _, ...limits } = options
  const answer = await callTool(consumer, toolId, input, { ...limits, railReason: choice.reason })
  return { ...answer, rail: 'channel', railReason: choice.reason }
}
