import { formatAmount } from '@gotong/core'
import { parseToolRef } from '@gotong/directory'
import type { Listing } from '@gotong/directory/node'
import type {
  CallToolResult,
  InputRequiredResult,
  McpServer,
  ServerContext,
} from '@modelcontextprotocol/server'
import { McpGatewayError } from '../errors.js'
import { confirmPayment } from './confirmPayment.js'
import type { GatewayState } from './gatewayState.js'
import { pinApproval } from './pinApproval.js'
import { errorResult, paidResult } from './results.js'

/** One paid call through the gateway, as an MCP tool handler sees it. */
export type PayForCallParameters = {
  server: McpServer
  context: ServerContext
  era: 'legacy' | 'modern'
  /** A tool id or its ERC-8257 reference. */
  tool: string | bigint
  input: unknown
  /** The caller's price cap: lowers the operator's, never raises it. */
  maxPrice?: bigint | undefined
}

/**
 * Pays for and makes one directory tool call within every limit the operator set: the tool's
 * approved version only, payees on the allowlist, the price cap, the user's confirmation above
 * the threshold, and the per-tool, session and daily budgets. Every refusal is an MCP tool
 * error with the gotong code; nothing is paid for a refused call.
 */
export async function payForCall(
  state: GatewayState,
  { server, context, era, tool, input, maxPrice }: PayForCallParameters,
): Promise<CallToolResult | InputRequiredResult> {
  try {
    const toolId = typeof tool === 'bigint' ? tool : toolIdOf(state, tool)
    const listing = await liveListing(state, toolId)
    const exposed = state.exposed.get(toolId.toString())
    if (exposed?.withdrawn)
      throw new McpGatewayError(
        'TOOL_WITHDRAWN',
        `Tool ${toolId} changed on chain since it was approved; it is not served until approved again (gotong mcp approve ${toolId}).`,
      )
    // A changed tool is refused by the agent (TOOL_CHANGED), its old approval still in force.
    await pinApproval(state, listing)
    const payees = state.config.payees
    if (payees && !payees.some((p) => p.toLowerCase() === listing.creator.toLowerCase()))
      throw new McpGatewayError(
        'PAYEE_NOT_ALLOWED',
        `Tool ${toolId} is provided by ${listing.creator}, who is not on this gateway's payee allowlist; nothing was paid.`,
      )
    const cap = lowest(state.config.maxPrice, maxPrice)
    const price = listing.price?.amount ?? 0n
    if (cap !== undefined && price > cap)
      throw new McpGatewayError(
        'PRICE_TOO_HIGH',
        `Tool ${toolId} costs ${gusd(price)} per call, more than ${gusd(cap)}; nothing was paid.`,
      )
    const threshold = state.config.confirmAbove
    if (threshold !== undefined && price > threshold) {
      const confirmed = await confirmPayment(
        server,
        context,
        era,
        `Pay ${gusd(price)} to ${listing.creator} for one call of "${listing.manifest!.name}" (tool ${toolId})?`,
      )
      if (confirmed !== true) return confirmed
    }
    const result = await state.agent.call(toolId, input, {
      ...(cap !== undefined ? { maxPrice: cap } : {}),
      budget: state.spending.budgetFor(toolId),
    })
    return paidResult(result)
  } catch (error) {
    return errorResult(error)
  }
}

/**
 * Live listings read from an agent's index, kept while the index's cursor stays where it was:
 * a listing changes only through a new block's events (or a reorg, which moves the cursor too),
 * so until then a call needs no index read.
 */
const readListings = new WeakMap<
  GatewayState['agent']['index'],
  { at: string; byTool: Map<string, Listing> }
>()

/** The tool's verified, live listing, syncing the index once if it has not seen the tool. */
export async function liveListing(state: GatewayState, toolId: bigint): Promise<Listing> {
  const { index } = state.agent
  const cursor = index.cursor()
  const at = `${cursor.blockNumber}:${cursor.blockHash}`
  let read = readListings.get(index)
  if (read?.at !== at) {
    read = { at, byTool: new Map() }
    readListings.set(index, read)
  }
  const known = read.byTool.get(toolId.toString())
  if (known) return known
  let listing = await index.getListing(toolId)
  if (!listing) {
    await index.sync()
    listing = await index.getListing(toolId)
  }
  if (!listing || listing.deregistered || listing.status !== 'verified' || !listing.manifest)
    throw new McpGatewayError('TOOL_NOT_FOUND', `Tool ${toolId} is not a verified, live listing.`)
  // Kept under the cursor read before: if a sync moved it meanwhile, the next call reads again.
  read.byTool.set(toolId.toString(), listing)
  return listing
}

/** A tool id from an id or a reference to this gateway's directory. */
export function toolIdOf(state: GatewayState, tool: string): bigint {
  const ref = parseToolRef(tool)
  const { contracts } = state.agent.network.deployments
  if (
    (ref.chainId !== undefined && ref.chainId !== state.agent.network.chainId) ||
    (ref.registry !== undefined &&
      ref.registry.toLowerCase() !== contracts.toolDirectory.toLowerCase())
  )
    throw new McpGatewayError(
      'TOOL_NOT_FOUND',
      `${tool} is in another directory than this gateway's (chain ${state.agent.network.chainId}, ${contracts.toolDirectory}).`,
    )
  return ref.toolId
}

function lowest(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return a < b ? a : b
}

function gusd(amount: bigint): string {
  return `${formatAmount(amount, 6)} gUSD`
}
