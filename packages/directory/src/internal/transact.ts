import { toolDirectoryAbi } from '@gotong/contracts'
import type {
  Account,
  Address,
  Chain,
  Client,
  ContractFunctionArgs,
  ContractFunctionName,
  TransactionReceipt,
  Transport,
} from 'viem'
import { waitForTransactionReceipt, writeContract } from 'viem/actions'
import { TransactionRevertedError } from '../errors.js'
import { toDirectoryError } from './toDirectoryError.js'

/** A viem client that can sign: what every directory write takes first. */
export type DirectoryWalletClient = Client<Transport, Chain | undefined, Account>

type WriteName = ContractFunctionName<typeof toolDirectoryAbi, 'nonpayable'>

/**
 * Sends one directory transaction and waits for its receipt. Reverts (at estimation or on
 * chain) come back as typed errors.
 */
export async function transact<name extends WriteName>(
  client: DirectoryWalletClient,
  parameters: {
    address: Address
    functionName: name
    args: ContractFunctionArgs<typeof toolDirectoryAbi, 'nonpayable', name>
    action: string
  },
): Promise<TransactionReceipt> {
  try {
    const hash = await writeContract(client, {
      address: parameters.address,
      abi: toolDirectoryAbi,
      functionName: parameters.functionName,
      args: parameters.args,
      account: client.account,
      chain: client.chain ?? null,
    } as Parameters<typeof writeContract>[1])
    const receipt = await waitForTransactionReceipt(client, { hash })
    if (receipt.status !== 'success') throw new TransactionRevertedError(parameters.action, hash)
    return receipt
  } catch (error) {
    throw toDirectoryError(error, parameters.action, 'write')
  }
}
