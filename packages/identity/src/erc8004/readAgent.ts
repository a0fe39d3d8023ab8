import { identityRegistryAbi } from '@gotong/contracts'
import { type Address, type Client, zeroAddress } from 'viem'
import { readContract } from 'viem/actions'
import { toErc8004Error } from './internal/transact.js'
import type { AgentRegistrationFile } from './registrationFile.js'
import { type ResolveAgentUriOptions, resolveAgentUri } from './resolveAgentUri.js'

export type ReadAgentParameters = {
  identityRegistry: Address
  agentId: bigint
  /** Also resolve and check its registration file (default false). */
  resolve?: boolean | ResolveAgentUriOptions | undefined
}

export type ReadAgentReturnType = {
  agentId: bigint
  owner: Address
  /** The agent's wallet (`getAgentWallet`); undefined once cleared. */
  wallet: Address | undefined
  /** Its registration file's URI (`tokenURI`); empty if none was set. */
  agentURI: string
  /** The resolved file, when asked for and the agent has a URI. */
  registration: AgentRegistrationFile | undefined
}

/**
 * An agent as the identity registry has it: owner, wallet and URI, and with `resolve` its
 * registration file. Throws `AGENT_NOT_FOUND` for an id never minted.
 *
 * @example const agent = await readAgent(publicClient, { identityRegistry, agentId: 1n, resolve: true })
 */
export async function readAgent(
  client: Client,
  parameters: ReadAgentParameters,
): Promise<ReadAgentReturnType> {
  const { identityRegistry: address, agentId } = parameters
  const contract = { address, abi: identityRegistryAbi, args: [agentId] } as const
  let owner: Address
  let wallet: Address
  let agentURI: string
  try {
    ;[owner, wallet, agentURI] = await Promise.all([
      readContract(client, { ...contract, functionName: 'ownerOf' }),
      readContract(client, { ...contract, functionName: 'getAgentWallet' }),
      readContract(client, { ...contract, functionName: 'tokenURI' }),
    ])
  } catch (error) {
    throw toErc8004Error(error, 'ERC8004_REVERTED', `read agent ${agentId}`)
  }
  const options = typeof parameters.resolve === 'object' ? parameters.resolve : {}
  return {
    agentId,
    owner,
    wallet: wallet === zeroAddress ? undefined : wallet,
    agentURI,
    registration:
      parameters.resolve && agentURI ? await resolveAgentUri(agentURI, options) : undefined,
  }
}
