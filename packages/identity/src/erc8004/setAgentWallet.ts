import { identityRegistryAbi } from '@gotong/contracts'
import type { Address, Hash, Hex } from 'viem'
import { getBlock, getChainId, readContract } from 'viem/actions'
import { type Erc8004WalletClient, toErc8004Error, transact } from './internal/transact.js'

/** EIP-712 types of a wallet's consent to become an agent's wallet (the reference deployment's). */
export const agentWalletSetTypes = {
  AgentWalletSet: [
    { name: 'agentId', type: 'uint256' },
    { name: 'newWallet', type: 'address' },
    { name: 'owner', type: 'address' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const

/**
 * The EIP-712 domain of an ERC-8004 identity registry's wallet proofs.
 *
 * @example erc8004IdentityDomain({ chainId: 31337, identityRegistry })
 */
export function erc8004IdentityDomain(parameters: { chainId: number; identityRegistry: Address }) {
  return {
    name: 'ERC8004IdentityRegistry',
    version: '1',
    chainId: parameters.chainId,
    verifyingContract: parameters.identityRegistry,
  } as const
}

/** The wallet that consents: anything that signs EIP-712 typed data (a viem `LocalAccount`). */
export type AgentWalletSigner = {
  readonly address: Address
  signTypedData(parameters: {
    domain: ReturnType<typeof erc8004IdentityDomain>
    types: typeof agentWalletSetTypes
    primaryType: 'AgentWalletSet'
    message: { agentId: bigint; newWallet: Address; owner: Address; deadline: bigint }
  }): Promise<Hex>
}

export type SetAgentWalletParameters = {
  identityRegistry: Address
  agentId: bigint
  /** The new wallet: it signs its consent, for the agent's current owner. */
  wallet: AgentWalletSigner
  /** Unix seconds the consent is good until: at most 5 minutes ahead (default: 4 minutes past the chain's latest block). */
  deadline?: bigint | undefined
}

/**
 * Makes `wallet` the agent's wallet (ERC-8004 `setAgentWallet`): the wallet signs the
 * `AgentWalletSet` proof naming the agent's owner, and the owner (or an operator) sends it. The
 * deadline is counted from the chain's clock, not the local one, so a devnet whose time was
 * moved ahead still accepts it.
 *
 * @example await setAgentWallet(ownerClient, { identityRegistry, agentId, wallet: agentAccount })
 */
export async function setAgentWallet(
  client: Erc8004WalletClient,
  parameters: SetAgentWalletParameters,
): Promise<{ transactionHash: Hash; gasUsed: bigint }> {
  const { identityRegistry, agentId, wallet } = parameters
  const action = `prove ${wallet.address} as the wallet of agent ${agentId}`
  let owner: Address
  try {
    owner = await readContract(client, {
      address: identityRegistry,
      abi: identityRegistryAbi,
      functionName: 'ownerOf',
      args: [agentId],
    })
  } catch (error) {
    throw toErc8004Error(error, 'ERC8004_REVERTED', action)
  }
  const deadline =
    parameters.deadline ?? (await getBlock(client, { blockTag: 'latest' })).timestamp + 240n
  const chainId = client.chain?.id ?? (await getChainId(client))
  const signature = await wallet.signTypedData({
    domain: erc8004IdentityDomain({ chainId, identityRegistry }),
    types: agentWalletSetTypes,
    primaryType: 'AgentWalletSet',
    message: { agentId, newWallet: wallet.address, owner, deadline },
  })
  const receipt = await transact(client, {
    address: identityRegistry,
    abi: identityRegistryAbi,
    functionName: 'setAgentWallet',
    args: [agentId, wallet.address, deadline, signature],
    action,
  })
  return { transactionHash: receipt.transactionHash, gasUsed: receipt.gasUsed }
}
