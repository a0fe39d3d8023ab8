import { toBaseUnits } from '@gotong/agent'
import { formatAmount, gotongTermsKey } from '@gotong/core'
import type { Listing } from '@gotong/directory/node'
import type { McpServer } from '@modelcontextprotocol/server'
import { z } from 'zod'
import { cleanText } from './cleanText.js'
import type { GatewayState } from './gatewayState.js'
import { payForCall } from './payForCall.js'
import { dataResult, errorResult } from './results.js'

/** A price the model may name: a decimal string in gUSD. */
const Price = z.string().max(40).describe('gUSD, a decimal string like "0.002"')

const SearchInput = z.object({
  text: z.string().max(200).optional().describe('words to look for in names and descriptions'),
  tags: z.array(z.string().max(64)).max(8).optional().describe('capability tags, all required'),
  maxPrice: Price.optional(),
  limit: z.number().int().min(1).max(50).optional(),
})

const ListingOut = z.object({
  toolId: z.string(),
  ref: z.string(),
  name: z.string(),
  description: z.string(),
  price: z.string().nullable().describe('gUSD per call'),
  sla: z.object({ p95LatencyMs: z.number(), callsPerMinute: z.number() }).nullable(),
  provider: z.string(),
  manifestHash: z.string(),
})

const BudgetOut = z.object({
  currency: z.literal('gUSD'),
  session: z.object({ spent: z.string(), left: z.string().nullable() }),
  daily: z.object({ spent: z.string(), left: z.string().nullable() }),
  tools: z.array(z.object({ toolId: z.string(), spent: z.string(), left: z.string().nullable() })),
})

/**
 * Registers the gateway's own tools on one MCP server instance: `gotong_search`,
 * `gotong_call` and `gotong_budget`.
 */
export function registerGatewayTools(
  state: GatewayState,
  server: McpServer,
  era: 'legacy' | 'modern',
): void {
  server.registerTool(
    'gotong_search',
    {
      description:
        'Searches the gotong directory of paid tools. Returns verified listings with tool id, name, description, price per call in gUSD, service levels, provider and manifest hash. Call one with gotong_call.',
      inputSchema: SearchInput,
      outputSchema: z.object({ listings: z.array(ListingOut) }),
    },
    async ({ text, tags, maxPrice, limit }) => {
      try {
        const { index, address } = state.agent
        await index.sync()
        const hits = await index.search({
          ...(text ? { text } : {}),
          ...(tags?.length ? { tags } : {}),
          ...(maxPrice !== undefined ? { maxPrice: toBaseUnits(maxPrice) } : {}),
          limit: limit ?? 10,
        })
        const listings = hits
          .map((hit) => hit.listing)
          .filter(
            (l) =>
              l.status === 'verified' &&
              !l.deregistered &&
              l.manifest &&
              l.creator.toLowerCase() !== address.toLowerCase(),
          )
          .map(describeListing)
        return dataResult({ listings })
      } catch (error) {
        return errorResult(error)
      }
    },
  )

  server.registerTool(
    'gotong_call',
    {
      description:
        'Calls a paid gotong tool by its tool id (or ERC-8257 reference) with its input, paying per call within the budgets the user set. Returns the tool output; the provider’s signed receipt is in _meta["dev.gotong/receipt"].',
      inputSchema: z.object({
        tool: z.string().max(200).describe('tool id, or eip155:<chain>/erc8257:<directory>/<id>'),
        input: z.record(z.string(), z.unknown()).describe('the tool’s input, per its schema'),
        maxPrice: Price.optional(),
      }),
    },
    async ({ tool, input, maxPrice }, context) => {
      let cap: bigint | undefined
      try {
        cap = maxPrice === undefined ? undefined : toBaseUnits(maxPrice)
      } catch (error) {
        return errorResult(error)
      }
      return payForCall(state, { server, context, era, tool, input, maxPrice: cap })
    },
  )

  server.registerTool(
    'gotong_budget',
    {
      description:
        'What this gateway has spent and has left, in gUSD: this session, the last 24 hours, and per tool.',
      outputSchema: BudgetOut,
    },
    async () => dataResult(state.spending.summary()),
  )
}

/** A listing as the model reads it: untrusted text cleaned, amounts in gUSD. */
export function describeListing(listing: Listing): z.output<typeof ListingOut> {
  const manifest = listing.manifest!
  const terms = manifest[gotongTermsKey] as
    | { sla?: { p95LatencyMs: number; callsPerMinute: number } }
    | undefined
  return {
    toolId: listing.toolId.toString(),
    ref: listing.ref,
    name: cleanText(manifest.name, 128),
    description: cleanText(manifest.description, 300),
    price: listing.price ? formatAmount(listing.price.amount, 6) : null,
    sla: terms?.sla
      ? { p95LatencyMs: terms.sla.p95LatencyMs, callsPerMinute: terms.sla.callsPerMinute }
      : null,
    provider: listing.creator,
    manifestHash: listing.manifestHash,
  }
}
