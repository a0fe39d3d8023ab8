import { toolDirectoryAbi } from '@gotong/contracts'
import { type InvalidInputError, parseWith } from '@gotong/core'
import { type Address, type Hex, zeroAddress } from 'viem'
import { getBlockNumber, readContract } from 'viem/actions'
import { z } from 'zod'
import type { ToolDeregisteredError, ToolNotFoundError, VersionNotFoundError } from '../errors.js'
import { chainIdOf } from '../internal/chainIdOf.js'
import type { DirectoryReadClient } from '../internal/readClient.js'
import { DirectoryAddress, ToolIdInput, VersionInput } from '../internal/schemas.js'
import { toDirectoryError } from '../internal/toDirectoryError.js'
import { formatToolRef } from '../toolRef.js'

/** What `getTool()` accepts. */
export const GetToolParameters = z.strictObject({
  /** The ToolDirectory. */
  address: DirectoryAddress,
  toolId: ToolIdInput,
  /** Pin a version: its manifest hash is returned instead of the current one. */
  version: VersionInput.optional(),
  /** Read at this block (the latest by default). */
  blockNumber: z.bigint().nonnegative().optional(),
})
export type GetToolParameters = z.input<typeof GetToolParameters>

export type GetToolReturnType = {
  toolId: bigint
  /** `eip155:<chainId>/erc8257:<directory>/<toolId>`. */
  ref: string
  creator: Address
  metadataURI: string
  /** The gate, or null for open access. */
  accessPredicate: Address | null
  /** The tool's current version. */
  latestVersion: bigint
  /** The version described: the pinned one, or the current one. */
  version: bigint
  /** The manifest hash of `version`. */
  manifestHash: Hex
  blockNumber: bigint
}

export type GetToolErrorType =
  | InvalidInputError
  | ToolNotFoundError
  | ToolDeregisteredError
  | VersionNotFoundError

/**
 * Reads a tool's configuration from the chain (creator, metadata URI, gate, version and the
 * manifest hash of the current or a pinned version), all at one block.
 *
 * @throws ToolNotFoundError, ToolDeregisteredError, VersionNotFoundError
 * @example const tool = await getTool(publicClient, { address: directory, toolId: 7n, version: 1n })
 */
export async function getTool(
  client: DirectoryReadClient,
  parameters: GetToolParameters,
): Promise<GetToolReturnType> {
  const { address, toolId, version, blockNumber } = parseWith(
    GetToolParameters,
    parameters,
    'getTool parameters',
  )
  const [chainId, block] = await Promise.all([
    chainIdOf(client),
    blockNumber ?? getBlockNumber(client, { cacheTime: 0 }),
  ])
  const read = { address, abi: toolDirectoryAbi, blockNumber: block } as const
  try {
    const [config, latestVersion, pinnedHash] = await Promise.all([
      readContract(client, { ...read, functionName: 'getToolConfig', args: [toolId] }),
      readContract(client, { ...read, functionName: 'toolVersion', args: [toolId] }),
      version === undefined
        ? undefined
        : readContract(client, {
            ...read,
            functionName: 'manifestHashAt',
            args: [toolId, version],
          }),
    ])
    return {
      toolId,
      ref: formatToolRef(chainId, address, toolId),
      creator: config.creator,
      metadataURI: config.metadataURI,
      accessPredicate: config.accessPredicate === zeroAddress ? null : config.accessPredicate,
      latestVersion,
      version: version ?? latestVersion,
      manifestHash: pinnedHash ?? config.manifestHash,
      blockNumber: block,
    }
  } catch (error) {
    throw toDirectoryError(error, `read tool ${toolId}`)
  }
}
