import { toolDirectoryAbi } from '@gotong/contracts'
import { type InvalidInputError, parseWith } from '@gotong/core'
import { type Hash, type Hex, parseEventLogs, toHex } from 'viem'
import { z } from 'zod'
import type {
  AccountMismatchError,
  DirectoryRevertedError,
  ManifestTooLargeError,
  NotToolCreatorError,
  ToolDeregisteredError,
  ToolNotFoundError,
  TransactionRevertedError,
} from '../errors.js'
import { chainIdOf } from '../internal/chainIdOf.js'
import { prepareManifest } from '../internal/prepareManifest.js'
import { DirectoryAddress, MetadataUri, ToolIdInput } from '../internal/schemas.js'
import { type DirectoryWalletClient, transact } from '../internal/transact.js'
import { formatToolRef } from '../toolRef.js'
import { wellKnownManifestUri } from '../wellKnownManifestUri.js'

/** What `publishVersion()` accepts. */
export const PublishVersionParameters = z.strictObject({
  /** The ToolDirectory. */
  address: DirectoryAddress,
  /** The tool to update; the signer must be its creator. */
  toolId: ToolIdInput,
  /** The new manifest; validated like `publishTool`'s. */
  manifest: z.unknown(),
  /** Where it is served; the well-known path on the endpoint's origin by default. */
  metadataURI: MetadataUri.optional(),
  /** Also require gotong's pricing entry and `dev.gotong.terms`. */
  gotong: z.boolean().optional(),
})
export type PublishVersionParameters = z.input<typeof PublishVersionParameters>

export type PublishVersionReturnType = {
  toolId: bigint
  ref: string
  /** The tool's version after the call (unchanged when the manifest and URI were the same). */
  version: bigint
  manifestHash: Hex
  /** The hash of the version before, or undefined when nothing changed. */
  previousManifestHash: Hex | undefined
  metadataURI: string
  transactionHash: Hash
  blockNumber: bigint
}

export type PublishVersionErrorType =
  | InvalidInputError
  | AccountMismatchError
  | ManifestTooLargeError
  | ToolNotFoundError
  | ToolDeregisteredError
  | NotToolCreatorError
  | DirectoryRevertedError
  | TransactionRevertedError

/**
 * Publishes a new version of a tool: the manifest (validated, canonical bytes in the log) and
 * its hash become version N+1 in the tool's lineage; earlier versions stay pinnable.
 *
 * @example
 * const { version } = await publishVersion(walletClient, { address: directory, toolId, manifest })
 */
export async function publishVersion(
  client: DirectoryWalletClient,
  parameters: PublishVersionParameters,
): Promise<PublishVersionReturnType> {
  const { address, toolId, manifest, metadataURI, gotong } = parseWith(
    PublishVersionParameters,
    parameters,
    'publishVersion parameters',
  )
  const prepared = prepareManifest(client, manifest, gotong)
  const uri = metadataURI ?? wellKnownManifestUri(prepared.manifest)
  const receipt = await transact(client, {
    address,
    functionName: 'updateToolMetadataWithManifest',
    args: [toolId, uri, prepared.hash, toHex(prepared.bytes)],
    action: `publish a new version of tool ${toolId}`,
  })
  const logs = parseEventLogs({
    abi: toolDirectoryAbi,
    logs: receipt.logs.filter((log) => log.address.toLowerCase() === address.toLowerCase()),
  })
  const published = logs.find((log) => log.eventName === 'ManifestPublished')
  const versioned = logs.find((log) => log.eventName === 'ToolVersioned')
  return {
    toolId,
    ref: formatToolRef(await chainIdOf(client), address, toolId),
    version: published?.eventName === 'ManifestPublished' ? published.args.version : 0n,
    manifestHash: prepared.hash,
    previousManifestHash:
      versioned?.eventName === 'ToolVersioned' ? versioned.args.previousManifestHash : undefined,
    metadataURI: uri,
    transactionHash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
  }
}
