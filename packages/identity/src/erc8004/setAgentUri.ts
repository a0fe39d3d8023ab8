import { identityRegistryAbi } from '@gotong/contracts'
import type { Address, Hash } from 'viem'
import { type Erc8004WalletClient, transact } from './internal/transact.js'

export type SetAgentUriParameters = {
  identityRegistry: Address
  agentId: bigint
  /** The new URI of its registration file. */
  agentURI: string
}

/**
 * Points an agent at a new registration file (`setAgentURI`): its owner, an operator or its
 * approved account signs.
 *
 * @example await setAgentUri(wallet, { identityRegistry, agentId, agentURI: toAgentDataUri(file) })
 */
export async function setAgentUri(
  client: Erc8004WalletClient,
  parameters: SetAgentUriParameters,
): Promise<{ transactionHash: Hash; gasUsed: bigint }> {
  const receipt = await transact(client, {
    address: parameters.identityRegistry,
    abi: identityRegistryAbi,
    functionName: 'setAgentURI',
    args: [parameters.agentId, parameters.agentURI],
    action: `set the URI of agent ${parameters.agentId}`,
  })
  return { transactionHash: receipt.transactionHash, gasUsed: receipt.gasUsed }
}
