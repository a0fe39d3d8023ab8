import { AgentCard, agentCardHash, InvalidInputError, parseWith } from '@gotong/core'
import type { Hash, Hex } from 'viem'
import { z } from 'zod'
import {
  AccountMismatchError,
  type DirectoryRevertedError,
  type TransactionRevertedError,
} from '../errors.js'
import { chainIdOf } from '../internal/chainIdOf.js'
import { DirectoryAddress } from '../internal/schemas.js'
import { type DirectoryWalletClient, transact } from '../internal/transact.js'

/** What `registerAgent()` accepts. */
export const RegisterAgentParameters = z.strictObject({
  /** The ToolDirectory. */
  address: DirectoryAddress,
  /** The agent's card; its `address` must be the signing account, its `chain` this chain. */
  card: AgentCard,
})
export type RegisterAgentParameters = z.input<typeof RegisterAgentParameters>

export type RegisterAgentReturnType = {
  /** keccak256 of the card's canonical JSON, as stored on chain. */
  cardHash: Hex
  transactionHash: Hash
  blockNumber: bigint
}

export type RegisterAgentErrorType =
  | InvalidInputError
  | AccountMismatchError
  | DirectoryRevertedError
  | TransactionRevertedError

/**
 * Publishes (or replaces) the signing agent's card in the directory: its endpoint, display name
 * and the hash of the full card, so others can find the agent behind a tool and check its card.
 *
 * @deprecated gotong agents register as ERC-8004 agents instead (`@gotong/identity`, done by
 * `createAgent` on its first `serve`), and clear a card left here (`clearAgentCard`).
 *
 * @example
 * await registerAgent(walletClient, { address: directory, card: { type, name, endpoint, address, chain } })
 */
export async function registerAgent(
  client: DirectoryWalletClient,
  parameters: RegisterAgentParameters,
): Promise<RegisterAgentReturnType> {
  const { address, card } = parseWith(
    RegisterAgentParameters,
    parameters,
    'registerAgent parameters',
  )
  const signer = client.account.address
  if (card.address !== signer.toLowerCase())
    throw new AccountMismatchError('agent card (address)', card.address, signer)
  const chainId = await chainIdOf(client)
  if (card.chain !== `eip155:${chainId}`)
    throw new InvalidInputError('agent card', [
      {
        rule: 'chain_mismatch',
        path: 'card.chain',
        message: `is ${card.chain}, but the directory is on eip155:${chainId}`,
      },
    ])
  const cardHash = agentCardHash(card)
  const receipt = await transact(client, {
    address,
    functionName: 'setAgentCard',
    args: [card.endpoint, card.name, cardHash],
    action: 'set the agent card',
  })
  return { cardHash, transactionHash: receipt.transactionHash, blockNumber: receipt.blockNumber }
}
