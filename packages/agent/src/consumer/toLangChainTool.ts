import { formatAmount } from '@gotong/core'
import type { Listing } from '@gotong/directory/node'
import { DynamicStructuredTool } from '@langchain/core/tools'
import { AgentError } from '../errors.js'
import type { CallResult } from './types.js'

/**
 * A directory listing as a LangChain tool. Its schema is the manifest's JSON Schema; calling it
 * makes one paid call. The output reaches the model as data: a JSON object with the result,
 * never something the runtime acts on. Refusals come back as text the model can read.
 */
export function toLangChainTool(
  listing: Listing,
  call: (toolId: bigint, input: unknown) => Promise<CallResult>,
  options: { decimals?: number; symbol?: string } = {},
): DynamicStructuredTool {
  const manifest = listing.manifest!
  const price = listing.price
    ? `${formatAmount(listing.price.amount, options.decimals ?? 6)} ${options.symbol ?? 'gUSD'}`
    : 'free'
  return new DynamicStructuredTool({
    name: `${manifest.name
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '_')
      .slice(0, 48)}_${listing.toolId}`,
    description: `${manifest.description} (paid tool ${listing.ref}, ${price} per call)`,
    schema: manifest.inputs as Record<string, unknown>,
    func: async (input: unknown) => {
      try {
        const result = await call(listing.toolId, input)
        return JSON.stringify({ result: result.output })
      } catch (error) {
        if (error instanceof AgentError)
          return JSON.stringify({ error: { code: error.code, message: error.shortMessage } })
        throw error
      }
    },
  })
}
