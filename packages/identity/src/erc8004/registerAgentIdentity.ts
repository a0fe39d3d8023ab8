import { identityRegistryAbi } from '@gotong/contracts'
import { type Address, type Hash, parseEventLogs } from 'viem'
import { Erc8004Error } from './errors.js'
import { type Erc8004WalletClient, transact } from './internal/transact.js'

export type RegisterAgentIdentityParameters = {
  identityRegistry: Address
  /** The registration file's URI; without one the agent is minted bare (`register()`). */
  agentURI?: string | undefined
}

export type RegisterAgentIdentityReturnType = {
  agentId: bigint
  transactionHash: Hash
  gasUsed: bigint
}

/**
 * Registers the signing account as a new ERC-8004 agent: mints the next agent id to it, with
 * the account as the agent's wallet (`register(agentURI)`, or `register()` without a URI).
 *
 * @example const { agentId } = await registerAgentIdentity(wallet, { identityRegistry, agentURI })
 */
export async function registerAgentIdentity(
  client: Erc8004WalletClient,
  parameters: RegisterAgentIdentityParameters,
): Promise<RegisterAgentIdentityReturnType> {
  const { identityRegistry, agentURI } = parameters
  const receipt = await transact(client, {
    address: identityRegistry,
    abi: identityRegistryAbi,
    functionName: 'register',
    args: agentURI === undefined ? [] : [agentURI],
    action: 'register the agent',
  })
  const [registered] = parseEventLogs({
    abi: identityRegistryAbi,
    eventName: 'Registered',
    logs: receipt.logs.filter((l) => l.address.toLowerCase() === identityRegistry.toLowerCase()),
  })
  if (!registered)
    throw new Erc8004Error(
      'ERC8004_REVERTED',
      `${identityRegistry} emitted no Registered event: is it an ERC-8004 identity registry?`,
    )
  return {
    agentId: registered.args.agentId,
    transactionHash: receipt.transactionHash,
    gasUsed: receipt.gasUsed,
  }
}
