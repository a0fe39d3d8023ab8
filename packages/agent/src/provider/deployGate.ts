import {
  erc20MinBalancePredicateAbi,
  erc20MinBalancePredicateBytecode,
  erc721HoldingPredicateAbi,
  erc721HoldingPredicateBytecode,
  erc1155HoldingPredicateAbi,
  erc1155HoldingPredicateBytecode,
} from '@gotong/contracts'
import type { ChannelWallet } from '@gotong/payments/payer'
import type { Address, PublicClient } from 'viem'

/** A token gate: hold an ERC-20 minimum, any ERC-721 of a collection, or N of an ERC-1155 id. */
export type Gate =
  | { erc20: Address; minimum: bigint }
  | { erc721: Address }
  | { erc1155: Address; id: bigint; minimum?: bigint }
  | { predicate: Address }

/**
 * The `IAccessPredicate` for a gate: deploys a gotong predicate contract, or returns the one
 * given.
 *
 * @example const predicate = await deployGate(wallet, publicClient, { erc1155: pass, id: 1n })
 */
export async function deployGate(
  wallet: ChannelWallet,
  publicClient: PublicClient,
  gate: Gate,
): Promise<Address> {
  if ('predicate' in gate) return gate.predicate
  const hash =
    'erc20' in gate
      ? await wallet.deployContract({
          abi: erc20MinBalancePredicateAbi,
          bytecode: erc20MinBalancePredicateBytecode,
          args: [gate.erc20, gate.minimum],
          account: wallet.account,
          chain: wallet.chain,
        })
      : 'erc721' in gate
        ? await wallet.deployContract({
            abi: erc721HoldingPredicateAbi,
            bytecode: erc721HoldingPredicateBytecode,
            args: [gate.erc721],
            account: wallet.account,
            chain: wallet.chain,
          })
        : await wallet.deployContract({
            abi: erc1155HoldingPredicateAbi,
            bytecode: erc1155HoldingPredicateBytecode,
            args: [gate.erc1155, gate.id, gate.minimum ?? 1n],
            account: wallet.account,
            chain: wallet.chain,
          })
  const receipt = await publicClient.waitForTransactionReceipt({ hash })
  return receipt.contractAddress!
}
