import { manifestHash, type ParseToolManifestOptions } from '@gotong/core'
import type { Hex } from 'viem'
import { manifestAttestationKey } from './manifestAttestation.js'

/**
 * The manifest hash a quote binds: the ERC-8257 manifest hash of the manifest with its
 * `dev.gotong.attestation` key removed. The quote cannot bind the hash of a manifest that
 * contains the quote, so it binds everything else: name, endpoint, schemas, prices, terms.
 *
 * @throws InvalidManifestError when the rest is not a valid manifest
 * @example attestationReportData({ signer, manifestHash: attestedManifestHash(manifest) })
 */
export function attestedManifestHash(
  manifest: Record<string, unknown>,
  options: ParseToolManifestOptions = {},
): Hex {
  const { [manifestAttestationKey]: _attestation, ...rest } = manifest
  return manifestHash(rest, options)
}
