// A listing whose manifest carries the genuine dcap-qvl sample quote: the quote verifies, but
// its report data binds no gotong provider, so the recorded verdict is ATTESTATION_UNBOUND.
import { readFileSync } from 'node:fs'
import { toHex } from 'viem'
import { describe, expect, test } from 'vitest'
import { genuine, provider } from '../test/samples.js'
import { attestListing } from './attestListing.js'
import { manifestAttestation, manifestAttestationKey } from './manifestAttestation.js'

const { manifest: vectorManifest } = JSON.parse(
  readFileSync(new URL('../../../vectors/attestation.json', import.meta.url), 'utf8'),
) as { manifest: Record<string, unknown> }
const { [manifestAttestationKey]: _, ...plain } = vectorManifest

const attested = {
  ...plain,
  ...manifestAttestation({
    version: 1,
    tee: 'intel-tdx',
    quote: toHex(genuine.quote),
    measurements: [genuine.measurements],
  }),
}
const listing = { ref: 'eip155:31337/erc8257:0xdc64…/1', creator: provider, manifest: attested }
const at = { collateral: genuine.collateral, now: genuine.now }

describe('attestListing', () => {
  test('records the verdict beside the listing: the sample verifies but binds no gotong key', () => {
    const checked = attestListing(listing, at)
    expect(checked.ref).toBe(listing.ref)
    expect(checked.attestation).toMatchObject({
      status: 'refused',
      code: 'ATTESTATION_UNBOUND',
      tcbStatus: 'UpToDate',
      measurements: genuine.measurements,
      reportData: genuine.reportData,
    })
  })

  test("the consumer's own allowlist replaces the measurements the manifest names", () => {
    const mine = [{ mrTd: `0x${'33'.repeat(48)}` as const }]
    expect(attestListing(listing, { ...at, measurements: mine }).attestation).toMatchObject({
      code: 'MEASUREMENT_NOT_ALLOWED',
    })
  })

  test('a quote served at quoteUri is checked when its bytes are given, missing otherwise', () => {
    const byUri = {
      ...listing,
      manifest: {
        ...plain,
        ...manifestAttestation({
          version: 1,
          tee: 'intel-tdx',
          quoteUri: 'https://provider.example/attestation/quote',
          measurements: [genuine.measurements],
        }),
      },
    }
    expect(attestListing(byUri, { ...at, quote: genuine.quote }).attestation).toMatchObject({
      code: 'ATTESTATION_UNBOUND',
    })
    expect(attestListing(byUri, at).attestation).toEqual({
      status: 'refused',
      code: 'ATTESTATION_MISSING',
      reason: 'The quote served at https://provider.example/attestation/quote was not given.',
      checkedAt: '2025-07-01T00:00:00.000Z',
    })
  })

  test('a manifest without the extension, or without a manifest, is ATTESTATION_MISSING', () => {
    expect(attestListing({ ...listing, manifest: plain }, at).attestation).toMatchObject({
      code: 'ATTESTATION_MISSING',
      reason: 'The manifest carries no dev.gotong.attestation.',
    })
    expect(attestListing({ ...listing, manifest: undefined }, at).attestation).toMatchObject({
      code: 'ATTESTATION_MISSING',
    })
  })

  test('a malformed extension is ATTESTATION_MISSING, never verified', () => {
    const malformed = { ...plain, [manifestAttestationKey]: { version: 1, tee: 'amd-sev-snp' } }
    expect(attestListing({ ...listing, manifest: malformed }, at).attestation).toMatchObject({
      status: 'refused',
      code: 'ATTESTATION_MISSING',
    })
  })
})
