import { toolDirectoryAbi } from '@gotong/contracts'
import { AddressSchema, type InvalidInputError, parseWith } from '@gotong/core'
import { type Address, type Hash, type Hex, parseEventLogs, toHex, zeroAddress } from 'viem'
import { z } from 'zod'
import type {
  AccountMismatchError,
  DirectoryRevertedError,
  InvalidAccessPredicateError,
  ManifestTooLargeError,
  TransactionRevertedError,
} from '../errors.js'
import { chainIdOf } from '../internal/chainIdOf.js'
import { prepareManifest } from '../internal/prepareManifest.js'
import { DirectoryAddress, MetadataUri } from '../internal/schemas.js'
import { type DirectoryWalletClient, transact } from '../internal/transact.js'
import { formatToolRef } from '../toolRef.js'
import { wellKnownManifestUri } from '../wellKnownManifestUri.js'

/** What `publishTool()` accepts. */
export const PublishToolParameters = z.strictObject({
  /** The ToolDirectory. */
  address: DirectoryAddress,
  /** The manifest (an object, a JSON string or bytes); validated before anything is sent. */
  manifest: z.unknown(),
  /** Where the manifest is served; the ERC's well-known path on the endpoint's origin by default. */
  metadataURI: MetadataUri.optional(),
  /** The gate (an `IAccessPredicate`), or none for open access. */
  accessPredicate: AddressSchema.nullish(),
  /** Also require gotong's pricing entry and `dev.gotong.terms`. */
  gotong: z.boolean().optional(),
})
export type PublishToolParameters = z.input<typeof PublishToolParameters>

export type PublishToolReturnType = {
  toolId: bigint
  /** `eip155:<chainId>/erc8257:<directory>/<toolId>`. */
  ref: string
  version: 1n
  manifestHash: Hex
  metadataURI: string
  accessPredicate: Address | null
  transactionHash: Hash
  blockNumber: bigint
}

export type PublishToolErrorType =
  | InvalidInputError
  | AccountMismatchError
  | ManifestTooLargeError
  | InvalidAccessPredicateError
  | DirectoryRevertedError
  | TransactionRevertedError

/**
 * Publishes a tool: validates the manifest with the ERC-8257 schema, checks its
 * `creatorAddress` is the signing account, and registers it with its canonical (RFC 8785) bytes
 * in the `ManifestPublished` log, so indexers never need to fetch it.
 *
 * @example
 * const { toolId, ref } = await publishTool(walletClient, { address: directory, manifest })
 */
export async function publishTool(
  client: DirectoryWalletClient,
  parameters: PublishToolParameters,
): Promise<PublishToolReturnType> {
  const { address, manifest, metadataURI, accessPredicate, gotong } = parseWith(
    PublishToolParameters,
    parameters,
    'publishTool parameters',
  )
  const prepared = prepareManifest(client, manifest, gotong)
  const uri = metadataURI ?? wellKnownManifestUri(prepared.manifest)
  const receipt = await transact(client, {
    address,
    functionName: 'registerToolWithManifest',
    args: [uri, prepared.hash, accessPredicate ?? zeroAddress, toHex(prepared.bytes)],
    action: 'register the tool',
  })
  const [registered] = parseEventLogs({
    abi: toolDirectoryAbi,
    eventName: 'ToolRegistered',
    logs: receipt.logs.filter((log) => log.address.toLowerCase() === address.toLowerCase()),
  })
  const toolId = registered!.args.toolId
  const chainId = await chainIdOf(client)
  return {
    toolId,
    ref: formatToolRef(chainId, address, toolId),
    version: 1n,
    manifestHash: prepared.hash,
    metadataURI: uri,
    accessPredicate: accessPredicate ?? null,
    transactionHash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
  }
}
