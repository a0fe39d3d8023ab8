import { langChainToolName } from '@gotong/agent'
import { formatAmount } from '@gotong/core'
import { parseToolRef } from '@gotong/directory'
import type { Listing } from '@gotong/directory/node'
import { fromJsonSchema, type RegisteredTool } from '@modelcontextprotocol/server'
import { cleanText } from './cleanText.js'
import type { ExposedTool, GatewayState, LiveServer } from './gatewayState.js'
import { liveListing, payForCall } from './payForCall.js'
import { pinApproval } from './pinApproval.js'

/**
 * The directory tools `expose` names (tool ids, references or tags), each at its approved
 * version: a tool already changed on chain since it was pinned starts out withdrawn.
 */
export async function resolveExposed(
  state: GatewayState,
  expose: readonly string[],
): Promise<ExposedTool[]> {
  const { index, address } = state.agent
  await index.sync()
  const listings = new Map<string, Listing>()
  for (const entry of expose) {
    if (/^[1-9][0-9]*$|^eip155:/.test(entry)) {
      const listing = await liveListing(state, parseToolRef(entry).toolId)
      listings.set(listing.toolId.toString(), listing)
      continue
    }
    const hits = await index.search({ tags: [entry], limit: 50 })
    for (const { listing } of hits)
      if (
        listing.status === 'verified' &&
        !listing.deregistered &&
        listing.manifest &&
        listing.creator.toLowerCase() !== address.toLowerCase()
      )
        listings.set(listing.toolId.toString(), listing)
  }
  const exposed: ExposedTool[] = []
  for (const listing of listings.values())
    exposed.push({
      toolId: listing.toolId,
      name: langChainToolName(listing.manifest!.name, listing.toolId),
      listing,
      withdrawn: (await pinApproval(state, listing)) === 'changed',
    })
  return exposed
}

/** Registers an exposed tool on one MCP server instance; the handle withdraws it later. */
export function registerExposed(
  state: GatewayState,
  live: LiveServer,
  tool: ExposedTool,
): RegisteredTool {
  const { manifest, price, creator, toolId } = tool.listing
  const cost = price ? `${formatAmount(price.amount, 6)} gUSD per call` : 'free'
  const outputSchema = objectSchema(manifest!.outputs)
  const handle = live.server.registerTool(
    tool.name,
    {
      description: `${cleanText(manifest!.description, 300)} [paid gotong tool ${toolId}: ${cost}, provider ${creator}]`,
      inputSchema: fromJsonSchema<Record<string, unknown>>(manifest!.inputs),
      ...(outputSchema ? { outputSchema: fromJsonSchema(outputSchema) } : {}),
    },
    (input, context) =>
      payForCall(state, { server: live.server, context, era: live.era, tool: toolId, input }),
  )
  live.tools.set(toolId.toString(), handle)
  return handle
}

/** Brings each live MCP server's tool list in line with which exposed tools are served now. */
export function syncLiveServers(state: GatewayState): void {
  for (const live of state.live)
    for (const tool of state.exposed.values()) {
      const key = tool.toolId.toString()
      const registered = live.tools.get(key)
      if (tool.withdrawn && registered) {
        registered.remove()
        live.tools.delete(key)
      } else if (!tool.withdrawn && !registered) registerExposed(state, live, tool)
    }
}

/** A tool's output JSON Schema when its results are objects (MCP structured content is one). */
function objectSchema(schema: Record<string, unknown>): Record<string, unknown> | undefined {
  return schema.type === 'object' ? schema : undefined
}
