import { toCaip10 } from '@gotong/core'
import type { Address } from 'viem'
import type { z } from 'zod'
import {
  type AgentRegistrationFileInput,
  agentRegistryOf,
  erc8004RegistrationType,
  type RegistrationService,
} from './registrationFile.js'

/** The service names gotong writes into a registration file. */
export const gotongServiceNames = {
  /** The agent's gotong endpoint: signed envelopes, PROTOCOL.md version 1. */
  gotong: 'gotong',
  a2a: 'A2A',
  mcp: 'MCP',
  /** One per priced tool: its x402 face (`<tool endpoint>/x402`). */
  x402: 'x402',
  /** One per published tool: its ERC-8257 reference. */
  tool: 'ERC-8257',
  /** The agent's wallet as CAIP-10: the key that signs its receipts and is paid. */
  wallet: 'agentWallet',
} as const

export type BuildAgentRegistrationParameters = {
  name: string
  description?: string | undefined
  image?: string | undefined
  chainId: number
  /** The agent's wallet: it signs agreements and receipts and is paid (`agentWallet` on chain). */
  wallet: Address
  /** The agent's gotong endpoint (its base URL), while it serves. */
  endpoint?: string | undefined
  /** The URL of its A2A agent card (`<endpoint>/.well-known/agent-card.json`), when served. */
  a2a?: { endpoint: string; version?: string | undefined } | undefined
  /** The MCP gateway in front of it, when one is served. */
  mcp?: { endpoint: string; version?: string | undefined } | undefined
  /** Its published tools: the ERC-8257 reference, the name, and the x402 URL of priced ones. */
  tools?: readonly { ref: string; name: string; x402?: string | undefined }[] | undefined
  /** Where it is registered; none before its first registration. */
  registrations?: readonly { identityRegistry: Address; agentId: bigint }[] | undefined
  /** Further services, written after gotong's. */
  services?: readonly z.input<typeof RegistrationService>[] | undefined
  /** Whether the agent takes calls now (default true). */
  active?: boolean | undefined
}

/**
 * A gotong agent's ERC-8004 registration file: its gotong endpoint, A2A card and MCP gateway,
 * one `x402` service per priced tool, one `ERC-8257` service per tool, its wallet, `reputation`
 * as its trust model (feedback through the receipt gateway), and where it is registered.
 *
 * @example
 * const file = buildAgentRegistration({ name: 'stats', chainId: 31337, wallet, endpoint, tools,
 *   registrations: [{ identityRegistry, agentId: 1n }] })
 */
export function buildAgentRegistration(
  parameters: BuildAgentRegistrationParameters,
): AgentRegistrationFileInput {
  const { chainId } = parameters
  const tools = parameters.tools ?? []
  const services: z.input<typeof RegistrationService>[] = []
  if (parameters.endpoint)
    services.push({ name: gotongServiceNames.gotong, endpoint: parameters.endpoint, version: '1' })
  if (parameters.a2a)
    services.push({
      name: gotongServiceNames.a2a,
      endpoint: parameters.a2a.endpoint,
      version: parameters.a2a.version ?? '1.0',
    })
  if (parameters.mcp)
    services.push({
      name: gotongServiceNames.mcp,
      endpoint: parameters.mcp.endpoint,
      ...(parameters.mcp.version ? { version: parameters.mcp.version } : {}),
    })
  for (const tool of tools)
    if (tool.x402)
      services.push({
        name: gotongServiceNames.x402,
        endpoint: tool.x402,
        version: '2',
        tool: tool.name,
      })
  for (const tool of tools)
    services.push({
      name: gotongServiceNames.tool,
      endpoint: tool.ref,
      version: 'v1',
      tool: tool.name,
    })
  services.push({
    name: gotongServiceNames.wallet,
    endpoint: toCaip10(chainId, parameters.wallet),
  })
  services.push(...(parameters.services ?? []))
  const toolNames = tools.map((t) => t.name)
  return {
    type: erc8004RegistrationType,
    name: parameters.name,
    description:
      parameters.description ??
      (toolNames.length
        ? `A gotong agent serving ${toolNames.length} paid tool${toolNames.length === 1 ? '' : 's'} (${toolNames.join(', ')}), paid per call through gotong payment channels${tools.some((t) => t.x402) ? ' or x402' : ''}.`
        : 'A gotong agent: it buys and sells tool calls paid through gotong payment channels.'),
    ...(parameters.image ? { image: parameters.image } : {}),
    services,
    x402Support: tools.some((t) => t.x402),
    active: parameters.active ?? true,
    registrations: (parameters.registrations ?? []).map((r) => ({
      // A JSON number as in the ERC's example, while it stays exact.
      agentId:
        r.agentId <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r.agentId) : r.agentId.toString(),
      agentRegistry: agentRegistryOf(chainId, r.identityRegistry),
    })),
    supportedTrust: ['reputation'],
  }
}
