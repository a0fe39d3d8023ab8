import type { Address } from 'viem'
import { agentRegistryOf, parseAgentRegistry, RegistrationEntry } from './registrationFile.js'

/**
 * The ERC-8257 manifest extension key (reverse-DNS, beside `dev.gotong.terms`) under which a
 * gotong tool names the ERC-8004 agent that serves it: `{ agentRegistry, agentId }`, the shape
 * of a registration file's `registrations` entry.
 */
export const manifestAgentIdentityKey = 'dev.gotong.erc8004'

/**
 * The extension's value for an agent, to spread into a manifest.
 *
 * @example buildManifest({ …, tool: { …, extensions: manifestAgentIdentity({ chainId, identityRegistry, agentId }) } })
 */
export function manifestAgentIdentity(parameters: {
  chainId: number
  identityRegistry: Address
  agentId: bigint
}): Record<typeof manifestAgentIdentityKey, { agentRegistry: string; agentId: number | string }> {
  const { agentId } = parameters
  return {
    [manifestAgentIdentityKey]: {
      agentRegistry: agentRegistryOf(parameters.chainId, parameters.identityRegistry),
      agentId: agentId <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(agentId) : agentId.toString(),
    },
  }
}

/**
 * The ERC-8004 agent a manifest says serves its tool, or undefined when it names none (or
 * names it malformed). A claim only: check that the agent's wallet is the manifest's creator.
 *
 * @example const named = agentIdentityOf(listing.manifest) // { chainId, identityRegistry, agentId }
 */
export function agentIdentityOf(
  manifest: Record<string, unknown> | undefined,
): { chainId: number; identityRegistry: Address; agentId: bigint } | undefined {
  const parsed = RegistrationEntry.safeParse(manifest?.[manifestAgentIdentityKey])
  if (!parsed.success) return undefined
  const { chainId, address } = parseAgentRegistry(parsed.data.agentRegistry)
  return { chainId, identityRegistry: address, agentId: parsed.data.agentId }
}
