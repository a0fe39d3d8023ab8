import { canonicalBytes, parseToolManifest, type ToolManifest } from '@gotong/core'
import { type Hex, keccak256 } from 'viem'
import { AccountMismatchError, ManifestTooLargeError } from '../errors.js'
import { maxManifestBytes } from '../verifyManifest.js'
import type { DirectoryWalletClient } from './transact.js'

/**
 * Validates a manifest for publishing by `client.account` (ERC-8257 schema, creator binding,
 * the 64 KiB log cap) and returns its canonical bytes and hash.
 */
export function prepareManifest(
  client: DirectoryWalletClient,
  input: unknown,
  gotong: boolean | undefined,
): { manifest: ToolManifest; bytes: Uint8Array; hash: Hex } {
  const manifest = parseToolManifest(input, { chainId: client.chain?.id, gotong: gotong ?? false })
  const signer = client.account.address
  if (manifest.creatorAddress !== signer.toLowerCase())
    throw new AccountMismatchError('manifest (creatorAddress)', manifest.creatorAddress, signer)
  const bytes = canonicalBytes(manifest)
  if (bytes.length > maxManifestBytes)
    throw new ManifestTooLargeError(bytes.length, maxManifestBytes)
  return { manifest, bytes, hash: keccak256(bytes) }
}
