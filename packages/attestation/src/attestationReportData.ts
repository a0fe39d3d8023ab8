import { type Address, concat, type Hex, keccak256, padHex, stringToHex } from 'viem'

/** The domain tag hashed first into the report data, so no other protocol's 64 bytes collide. */
export const attestationDomainTag = 'gotong-tee-attestation-v1'

/**
 * The 64 bytes a provider's TDX quote must carry as report data to bind its signing address
 * and its manifest: `keccak256(utf8(tag) ‖ signer (20 bytes) ‖ manifestHash (32 bytes))`
 * followed by 32 zero bytes (kept zero so a later version can use them).
 *
 * @param parameters.signer the address that signs the provider's agreements and receipts
 * @param parameters.manifestHash the attested manifest hash (`attestedManifestHash`)
 * @returns 64 bytes as lowercase hex
 * @example attestationReportData({ signer, manifestHash }) // '0x5f1c…0000'
 */
export function attestationReportData(parameters: { signer: Address; manifestHash: Hex }): Hex {
  const digest = keccak256(
    concat([
      stringToHex(attestationDomainTag),
      parameters.signer.toLowerCase() as Hex,
      parameters.manifestHash.toLowerCase() as Hex,
    ]),
  )
  return padHex(digest, { dir: 'right', size: 64 })
}
