import { toolDirectoryAbi } from '@gotong/contracts'
import { AddressSchema, HexBytes, type InvalidInputError, parseWith } from '@gotong/core'
import { readContract } from 'viem/actions'
import { z } from 'zod'
import type { ToolDeregisteredError, ToolNotFoundError } from '../errors.js'
import type { DirectoryReadClient } from '../internal/readClient.js'
import { DirectoryAddress, ToolIdInput } from '../internal/schemas.js'
import { toDirectoryError } from '../internal/toDirectoryError.js'

/** What `checkAccess()` accepts. */
export const CheckAccessParameters = z.strictObject({
  /** The ToolDirectory. */
  address: DirectoryAddress,
  toolId: ToolIdInput,
  /** The account asking. */
  account: AddressSchema,
  /** Context for the predicate (a token id, a proof); empty by default. */
  data: HexBytes.optional(),
  /** Ask at this block (the latest by default). */
  blockNumber: z.bigint().nonnegative().optional(),
})
export type CheckAccessParameters = z.input<typeof CheckAccessParameters>

export type CheckAccessReturnType = {
  /**
   * `granted`, `denied`, or `predicate_error` when the predicate reverted, ran out of gas or
   * answered something other than a bool: a broken gate, not a verdict on the account.
   */
  status: 'granted' | 'denied' | 'predicate_error'
  /** Whether the predicate answered canonically (ERC-8257 `tryHasAccess`). */
  ok: boolean
  granted: boolean
}

export type CheckAccessErrorType = InvalidInputError | ToolNotFoundError | ToolDeregisteredError

/**
 * Asks the directory whether an account may use a tool, through `tryHasAccess`, so a broken
 * predicate is reported as such instead of reading as a denial.
 *
 * @example
 * const { status } = await checkAccess(publicClient, { address: directory, toolId, account })
 */
export async function checkAccess(
  client: DirectoryReadClient,
  parameters: CheckAccessParameters,
): Promise<CheckAccessReturnType> {
  const { address, toolId, account, data, blockNumber } = parseWith(
    CheckAccessParameters,
    parameters,
    'checkAccess parameters',
  )
  try {
    const [ok, granted] = await readContract(client, {
      address,
      abi: toolDirectoryAbi,
      functionName: 'tryHasAccess',
      args: [toolId, account, data ?? '0x'],
      ...(blockNumber === undefined ? {} : { blockNumber }),
    })
    return { status: !ok ? 'predicate_error' : granted ? 'granted' : 'denied', ok, granted }
  } catch (error) {
    throw toDirectoryError(error, `check access to tool ${toolId}`)
  }
}
