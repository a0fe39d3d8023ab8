import { toolDirectoryAbi } from '@gotong/contracts'
import { AddressSchema, type InvalidInputError, parseWith } from '@gotong/core'
import { type Address, type Hash, parseEventLogs, zeroAddress } from 'viem'
import { z } from 'zod'
import type {
  DirectoryRevertedError,
  InvalidAccessPredicateError,
  NotToolCreatorError,
  ToolDeregisteredError,
  ToolNotFoundError,
  TransactionRevertedError,
} from '../errors.js'
import { DirectoryAddress, ToolIdInput } from '../internal/schemas.js'
import { type DirectoryWalletClient, transact } from '../internal/transact.js'

/** What `setAccess()` accepts. */
export const SetAccessParameters = z.strictObject({
  /** The ToolDirectory. */
  address: DirectoryAddress,
  /** The tool; the signer must be its creator. */
  toolId: ToolIdInput,
  /** The new gate (an `IAccessPredicate`), or null for open access. */
  predicate: AddressSchema.nullable(),
})
export type SetAccessParameters = z.input<typeof SetAccessParameters>

export type SetAccessReturnType = {
  /** False when the tool already had this predicate (the directory changes nothing). */
  changed: boolean
  predicate: Address | null
  transactionHash: Hash
  blockNumber: bigint
}

export type SetAccessErrorType =
  | InvalidInputError
  | ToolNotFoundError
  | ToolDeregisteredError
  | NotToolCreatorError
  | InvalidAccessPredicateError
  | DirectoryRevertedError
  | TransactionRevertedError

/**
 * Gates a tool behind an access predicate, or opens it (`predicate: null`). Pointing it at the
 * AlwaysDenyPredicate pauses the tool, reversibly (ERC-8257's alternative to deregistering).
 *
 * @example await setAccess(walletClient, { address: directory, toolId, predicate: alwaysDeny })
 */
export async function setAccess(
  client: DirectoryWalletClient,
  parameters: SetAccessParameters,
): Promise<SetAccessReturnType> {
  const { address, toolId, predicate } = parseWith(
    SetAccessParameters,
    parameters,
    'setAccess parameters',
  )
  const receipt = await transact(client, {
    address,
    functionName: 'setAccessPredicate',
    args: [toolId, predicate ?? zeroAddress],
    action: `set the access predicate of tool ${toolId}`,
  })
  const updated = parseEventLogs({
    abi: toolDirectoryAbi,
    eventName: 'AccessPredicateUpdated',
    logs: receipt.logs.filter((log) => log.address.toLowerCase() === address.toLowerCase()),
  })
  return {
    changed: updated.length > 0,
    predicate,
    transactionHash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
  }
}
