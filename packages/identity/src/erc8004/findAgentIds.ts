import { identityRegistryAbi } from '@gotong/contracts'
import type { Address, Client } from 'viem'
import { getContractEvents, readContract } from 'viem/actions'

export type FindAgentIdsParameters = {
  identityRegistry: Address
  /** Whose agents to find. */
  owner: Address
  /** Where to start reading logs: the registry's deployment block (default 0). */
  fromBlock?: bigint | undefined
}

/**
 * The agents an account owns now, lowest id first. The identity registry is not ERC-721
 * enumerable, so this reads its `Transfer` logs to the account (a registration is a mint, a
 * transfer in is a transfer) and keeps the ids it still owns.
 *
 * @example const [agentId] = await findAgentIds(publicClient, { identityRegistry, owner: account.address })
 */
export async function findAgentIds(
  client: Client,
  parameters: FindAgentIdsParameters,
): Promise<bigint[]> {
  const { identityRegistry, owner } = parameters
  const logs = await getContractEvents(client, {
    address: identityRegistry,
    abi: identityRegistryAbi,
    eventName: 'Transfer',
    args: { to: owner },
    fromBlock: parameters.fromBlock ?? 0n,
    toBlock: 'latest',
  })
  const candidates = [...new Set(logs.map((l) => l.args.tokenId!))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  )
  const owners = await Promise.all(
    candidates.map((agentId) =>
      readContract(client, {
        address: identityRegistry,
        abi: identityRegistryAbi,
        functionName: 'ownerOf',
        args: [agentId],
      }),
    ),
  )
  return candidates.filter((_, i) => owners[i]!.toLowerCase() === owner.toLowerCase())
}
