// The binding against vectors/attestation.json (PROTOCOL.md §17), computed with viem's
// encodePacked and keccak256, not with this code.
import { readFileSync } from 'node:fs'
import { type Hex, hexToBytes } from 'viem'
import { describe, expect, test } from 'vitest'
import { attestationDomainTag, attestationReportData } from './attestationReportData.js'
import { attestedManifestHash } from './attestedManifestHash.js'
import { attestationOf } from './manifestAttestation.js'

const vector = JSON.parse(
  readFileSync(new URL('../../../vectors/attestation.json', import.meta.url), 'utf8'),
) as {
  domainTag: string
  signer: Hex
  manifest: Record<string, unknown>
  attestedManifestHash: Hex
  preimage: Hex
  digest: Hex
  reportData: Hex
}
const manifestVector = JSON.parse(
  readFileSync(new URL('../../../vectors/manifest.json', import.meta.url), 'utf8'),
) as { manifestHash: Hex }

describe('vectors/attestation.json', () => {
  test('the domain tag and the 64 bytes of report data are the vector', () => {
    expect(attestationDomainTag).toBe(vector.domainTag)
    const reportData = attestationReportData({
      signer: vector.signer,
      manifestHash: vector.attestedManifestHash,
    })
    expect(reportData).toBe(vector.reportData)
    expect(hexToBytes(reportData)).toHaveLength(64)
    expect(reportData.slice(0, 66)).toBe(vector.digest)
    expect(reportData.slice(66)).toBe('0'.repeat(64))
  })

  test("the attested manifest hash leaves the extension out: it is manifest.json's hash", () => {
    expect(vector.attestedManifestHash).toBe(manifestVector.manifestHash)
    expect(attestedManifestHash(vector.manifest)).toBe(vector.attestedManifestHash)
  })

  test("the vector's extension parses", () => {
    expect(attestationOf(vector.manifest)).toMatchObject({ found: true, success: true })
  })
})

describe('the binding', () => {
  const parameters = { signer: vector.signer, manifestHash: vector.attestedManifestHash }

  test('does not depend on the case of the address or hash', () => {
    expect(
      attestationReportData({
        signer: vector.signer.toLowerCase() as Hex,
        manifestHash: vector.attestedManifestHash.toUpperCase().replace('0X', '0x') as Hex,
      }),
    ).toBe(vector.reportData)
  })

  test('another signer or another manifest hash gives other report data', () => {
    const otherSigner = attestationReportData({
      ...parameters,
      signer: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    })
    const otherManifest = attestationReportData({
      ...parameters,
      manifestHash: `0x${'00'.repeat(31)}01`,
    })
    expect(new Set([vector.reportData, otherSigner, otherManifest]).size).toBe(3)
  })
})
