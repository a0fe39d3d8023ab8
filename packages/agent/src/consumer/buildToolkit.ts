import type { DynamicStructuredTool } from '@langchain/core/tools'
import type { AgentContext } from '../agent/agentContext.js'
import { spendLimitsOf } from '../agent/amounts.js'
import type { ToolkitOptions } from '../agent/types.js'
import { toLangChainTool } from './toLangChainTool.js'

/**
 * Directory tools as LangChain tools: the ids given, or the best matches of a search (never
 * this agent's own). Each is approved at its current version; calling one pays on the rail the
 * policy chooses (a channel, negotiated on first use, or x402 for fewer than `channelFrom`
 * expected calls) and checks the receipt, within `maxPrice` and `budget`.
 */
export async function buildToolkit(
  agent: AgentContext,
  options: ToolkitOptions = {},
): Promise<DynamicStructuredTool[]> {
  const { index, consumer } = agent
  // One budget for the toolkit's whole life, made before anything is asked of the chain.
  const limits = {
    ...spendLimitsOf(options, 'toolkit'),
    ...(options.expectedCalls !== undefined ? { expectedCalls: options.expectedCalls } : {}),
  }
  await index.sync()
  const me = agent.account.address.toLowerCase()
  const listings = options.toolIds
    ? await Promise.all(options.toolIds.map((id) => consumer.listing(id)))
    : (
        await index.search({
          ...(options.query ? { text: options.query } : {}),
          ...(options.tags ? { tags: options.tags } : {}),
          ...(limits.maxPrice !== undefined ? { maxPrice: limits.maxPrice } : {}),
          limit: options.limit ?? 20,
        })
      )
        .map((hit) => hit.listing)
        .filter((listing) => listing.creator.toLowerCase() !== me)
  for (const listing of listings) await consumer.approve(listing.toolId)
  return listings.map((listing) =>
    toLangChainTool(listing, (toolId, input) => consumer.call(toolId, input, limits)),
  )
}
