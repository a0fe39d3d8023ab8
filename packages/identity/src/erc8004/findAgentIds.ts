import { identityRegistryAbi } from '@gotong/contracts'
import type { Address, Client } from 'viem'
import { getContractEvents, readContract } from 'viem/actions'

export type FindAgentIdsParameters = {
  identityRegistry: Address
  /** Where to start reading logs: the registry's deployment block (default 0). */
  fromBlock?: bigint | undefined
} & (
  | {
      /** The agents this account owns now. */
      owner: Address
      wallet?: undefined
    }
  | {
      /** The agents whose wallet (the key that signs their receipts) this account is now. */
      wallet: Address
      owner?: undefined
    }
)

/**
 * The agents an account owns now, or whose wallet it is now, lowest id first. The identity
 * registry is not ERC-721 enumerable, so owners are found from its `Transfer` logs to the
 * account (a registration is a mint, a transfer in is a transfer) and wallets from its
 * `MetadataSet` logs of `agentWallet`; either way only ids that still match are kept.
 *
 * @example const [agentId] = await findAgentIds(publicClient, { identityRegistry, owner: account.address })
 */
export async function findAgentIds(
  client: Client,
  parameters: FindAgentIdsParameters,
): Promise<bigint[]> {
  const { identityRegistry } = parameters
  const range = { fromBlock: parameters.fromBlock ?? 0n, toBlock: 'latest' } as const
  const contract = { address: identityRegistry, abi: identityRegistryAbi } as const
  let candidates: bigint[]
  if (parameters.owner) {
    const logs = await getContractEvents(client, {
      ...contract,
      ...range,
      eventName: 'Transfer',
      args: { to: parameters.owner },
    })
    candidates = logs.map((l) => l.args.tokenId!)
  } else {
    const logs = await getContractEvents(client, {
      ...contract,
      ...range,
      eventName: 'MetadataSet',
      args: { indexedMetadataKey: 'agentWallet' },
    })
    const wallet = parameters.wallet.toLowerCase()
    candidates = logs
      .filter((l) => l.args.metadataValue?.toLowerCase() === wallet)
      .map((l) => l.args.agentId!)
  }
  const ids = [...new Set(candidates)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const current = await Promise.all(
    ids.map((agentId) =>
      readContract(client, {
        ...contract,
        functionName: parameters.owner ? 'ownerOf' : 'getAgentWallet',
        args: [agentId],
      }),
    ),
  )
  const wanted = (parameters.owner ?? parameters.wallet).toLowerCase()
  return ids.filter((_, i) => (current[i] as Address).toLowerCase() === wanted)
}
