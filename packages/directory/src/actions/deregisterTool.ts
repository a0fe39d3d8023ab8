import { type InvalidInputError, parseWith } from '@gotong/core'
import type { Hash } from 'viem'
import { z } from 'zod'
import type {
  DirectoryRevertedError,
  NotToolCreatorError,
  ToolDeregisteredError,
  ToolNotFoundError,
  TransactionRevertedError,
} from '../errors.js'
import { DirectoryAddress, ToolIdInput } from '../internal/schemas.js'
import { type DirectoryWalletClient, transact } from '../internal/transact.js'

/** What `deregisterTool()` accepts. */
export const DeregisterToolParameters = z.strictObject({
  /** The ToolDirectory. */
  address: DirectoryAddress,
  /** The tool; the signer must be its creator. */
  toolId: ToolIdInput,
})
export type DeregisterToolParameters = z.input<typeof DeregisterToolParameters>

export type DeregisterToolReturnType = { transactionHash: Hash; blockNumber: bigint }

export type DeregisterToolErrorType =
  | InvalidInputError
  | ToolNotFoundError
  | ToolDeregisteredError
  | NotToolCreatorError
  | DirectoryRevertedError
  | TransactionRevertedError

/**
 * Deregisters a tool for good: every later read of it fails with `TOOL_DEREGISTERED` and the id
 * is never reused. To pause a tool reversibly, gate it with the AlwaysDenyPredicate instead.
 *
 * @example await deregisterTool(walletClient, { address: directory, toolId })
 */
export async function deregisterTool(
  client: DirectoryWalletClient,
  parameters: DeregisterToolParameters,
): Promise<DeregisterToolReturnType> {
  const { address, toolId } = parseWith(
    DeregisterToolParameters,
    parameters,
    'deregisterTool parameters',
  )
  const receipt = await transact(client, {
    address,
    functionName: 'deregisterTool',
    args: [toolId],
    action: `deregister tool ${toolId}`,
  })
  return { transactionHash: receipt.transactionHash, blockNumber: receipt.blockNumber }
}
