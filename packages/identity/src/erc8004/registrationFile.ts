import { parseWith } from '@gotong/core'
import { type Address, getAddress } from 'viem'
import { z } from 'zod'

/** The `type` of an ERC-8004 agent registration file (the January 2026 text). */
export const erc8004RegistrationType = 'https://eips.ethereum.org/EIPS/eip-8004#registration-v1'

/** The well-known path where an agent's registration file is also served (ERC-8004 §Endpoint Domain Verification). */
export const agentRegistrationPath = '/.well-known/agent-registration.json'

/**
 * One entry of a registration file's `services`: a name (`A2A`, `MCP`, `web`, `gotong`, …), an
 * endpoint, an optional version; other fields (OASF's `skills`, …) are kept.
 */
export const RegistrationService = z.looseObject({
  name: z.string().min(1).max(128),
  endpoint: z.string().min(1).max(8192),
  version: z.string().max(128).optional(),
})
export type RegistrationService = z.output<typeof RegistrationService>

/** `{namespace}:{chainId}:{identityRegistry}`, as ERC-8004 names a registry. */
export const AgentRegistryId = z
  .string()
  .regex(
    /^eip155:[1-9][0-9]{0,19}:0x[0-9a-fA-F]{40}$/,
    'must be eip155:<chainId>:<registry address>',
  )

/**
 * An agent id as a registration file writes it: a JSON number (as the ERC's example), or a
 * decimal string for ids past 2^53; read as a bigint.
 */
const AgentIdValue = z
  .union([
    z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'must be a decimal integer'),
  ])
  .transform((value) => BigInt(value))

/** One of a registration file's `registrations`: where the agent is registered, under which id. */
export const RegistrationEntry = z.looseObject({
  agentId: AgentIdValue,
  agentRegistry: AgentRegistryId,
})
export type RegistrationEntry = z.output<typeof RegistrationEntry>

const RegistrationFileObject = z.looseObject({
  type: z.literal(erc8004RegistrationType),
  name: z.string().min(1).max(256),
  description: z.string().max(8192).optional(),
  image: z.string().max(8192).optional(),
  services: z.array(RegistrationService).max(1024).default([]),
  x402Support: z.boolean().optional(),
  active: z.boolean().optional(),
  registrations: z.array(RegistrationEntry).max(256).default([]),
  supportedTrust: z.array(z.string().max(128)).max(64).optional(),
})

/** A registration file as written (agent ids as JSON numbers or decimal strings). */
export type AgentRegistrationFileInput = z.input<typeof RegistrationFileObject>

/**
 * An ERC-8004 agent registration file (`registration-v1`). Read leniently: unknown fields are
 * kept, `description` may be missing, and a file from before January 2026 that lists
 * `endpoints` instead of `services` reads as if they were its services.
 */
export const AgentRegistrationFile = z.preprocess(
  (value) =>
    value !== null &&
    typeof value === 'object' &&
    !('services' in value) &&
    Array.isArray((value as { endpoints?: unknown }).endpoints)
      ? { ...value, services: (value as { endpoints: unknown }).endpoints }
      : value,
  RegistrationFileObject,
)
export type AgentRegistrationFile = z.output<typeof AgentRegistrationFile>

/**
 * The ERC-8004 name of an identity registry: `eip155:<chainId>:<address>`, hex in lowercase
 * as in every document gotong writes (compare them case-insensitively).
 *
 * @example agentRegistryOf(31337, registry) // 'eip155:31337:0x5fbdb…'
 */
export function agentRegistryOf(chainId: number, identityRegistry: Address): string {
  return `eip155:${chainId}:${identityRegistry.toLowerCase()}`
}

/**
 * Splits an ERC-8004 registry name into its chain id and address.
 *
 * @example parseAgentRegistry('eip155:31337:0x5FbDB…') // { chainId: 31337, address: '0x5FbDB…' }
 */
export function parseAgentRegistry(value: string): { chainId: number; address: Address } {
  const [, chainId, address] = parseWith(AgentRegistryId, value, 'agent registry').split(':') as [
    string,
    string,
    string,
  ]
  return { chainId: Number(chainId), address: getAddress(address) }
}
