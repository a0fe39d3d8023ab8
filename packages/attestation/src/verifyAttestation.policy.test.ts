// gotong's policy after the cryptography, with dcap-qvl stubbed to return a report of our
// choosing: no real quote binds a gotong key (we cannot produce a TDX quote here), so this is
// where the verified path and the TCB statuses the samples do not have are shown.
import { readFileSync } from 'node:fs'
import { hexToBytes, toHex } from 'viem'
import { beforeEach, describe, expect, test, vi } from 'vitest'
import { genuine, provider } from '../test/samples.js'
import { attestationReportData } from './attestationReportData.js'
import { attestedManifestHash } from './attestedManifestHash.js'
import { type DcapVerifiedReport, dcapVerify } from './internal/dcap.js'
import { manifestAttestation } from './manifestAttestation.js'
import { requireAttestation } from './requireAttestation.js'
import { verifyAttestation } from './verifyAttestation.js'

vi.mock('./internal/dcap.js', () => ({ dcapVerify: vi.fn() }))

const expected = { signer: provider, manifestHash: `0x${'ab'.repeat(32)}` } as const
const bound = attestationReportData(expected)

function reportOf(status: string, reportData = bound, type: 'td10' | 'sgx' = 'td10') {
  const td = {
    mrTd: hexToBytes(genuine.measurements.mrTd),
    rtMr0: hexToBytes(genuine.measurements.rtmr0),
    rtMr1: hexToBytes(genuine.measurements.rtmr1),
    rtMr2: hexToBytes(genuine.measurements.rtmr2),
    rtMr3: hexToBytes(genuine.measurements.rtmr3),
    reportData: hexToBytes(reportData),
  }
  const report: DcapVerifiedReport = {
    status,
    advisory_ids: status === 'UpToDate' ? [] : ['INTEL-SA-00837'],
    report: { type, asTd10: () => (type === 'sgx' ? null : td) },
  }
  vi.mocked(dcapVerify).mockReturnValue(report)
}

const check = (acceptedTcbStatuses?: ('UpToDate' | 'ConfigurationNeeded')[]) =>
  verifyAttestation({
    quote: genuine.quote,
    collateral: genuine.collateral,
    now: genuine.now,
    expected,
    measurements: [genuine.measurements],
    ...(acceptedTcbStatuses && { acceptedTcbStatuses }),
  })

beforeEach(() => {
  vi.mocked(dcapVerify).mockReset()
})

describe('with dcap-qvl stubbed', () => {
  test('a report whose data is the binding of signer and manifest hash is verified', () => {
    reportOf('UpToDate')
    expect(check()).toEqual({
      status: 'verified',
      tee: 'intel-tdx',
      tcbStatus: 'UpToDate',
      advisoryIds: [],
      measurements: genuine.measurements,
      reportData: bound,
      checkedAt: '2025-07-01T00:00:00.000Z',
    })
    expect(vi.mocked(dcapVerify)).toHaveBeenCalledWith(
      genuine.quote,
      genuine.collateral,
      Date.parse('2025-07-01T00:00:00Z') / 1000,
    )
  })

  test('the binding of another signer is ATTESTATION_UNBOUND', () => {
    reportOf(
      'UpToDate',
      attestationReportData({ ...expected, signer: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' }),
    )
    expect(check()).toMatchObject({ status: 'refused', code: 'ATTESTATION_UNBOUND' })
  })

  test('a returned OutOfDate status is TCB_OUT_OF_DATE, with its advisories', () => {
    reportOf('OutOfDate')
    expect(check()).toMatchObject({
      code: 'TCB_OUT_OF_DATE',
      reason: "Intel rates the platform's TCB OutOfDate.",
      tcbStatus: 'OutOfDate',
      advisoryIds: ['INTEL-SA-00837'],
    })
  })

  test('ConfigurationNeeded is TCB_NOT_ACCEPTED by default and verified when accepted', () => {
    reportOf('ConfigurationNeeded')
    expect(check()).toMatchObject({ code: 'TCB_NOT_ACCEPTED', tcbStatus: 'ConfigurationNeeded' })
    expect(check(['UpToDate', 'ConfigurationNeeded'])).toMatchObject({ status: 'verified' })
  })

  test('a revoked TCB, which dcap-qvl throws for, is ATTESTATION_INVALID', () => {
    vi.mocked(dcapVerify).mockImplementation(() => {
      throw new Error('TCB status is invalid: Revoked')
    })
    expect(check()).toMatchObject({
      code: 'ATTESTATION_INVALID',
      reason: 'The quote does not verify: TCB status is invalid: Revoked.',
    })
  })

  test('an SGX enclave quote is ATTESTATION_INVALID: only TDX is accepted', () => {
    reportOf('UpToDate', bound, 'sgx')
    expect(check()).toMatchObject({
      code: 'ATTESTATION_INVALID',
      reason: 'The quote is an sgx quote, not TDX.',
    })
  })
})

describe('requireAttestation, with dcap-qvl stubbed', () => {
  test('accepts a listing whose quote binds its creator and its manifest', async () => {
    const plain = JSON.parse(
      readFileSync(new URL('../../../vectors/manifest.json', import.meta.url), 'utf8'),
    ).manifest as Record<string, unknown>
    const manifest = {
      ...plain,
      ...manifestAttestation({
        version: 1,
        tee: 'intel-tdx',
        quote: toHex(genuine.quote),
        measurements: [{ mrTd: genuine.measurements.mrTd }],
      }),
    }
    reportOf(
      'UpToDate',
      attestationReportData({ signer: provider, manifestHash: attestedManifestHash(manifest) }),
    )
    const policy = requireAttestation({
      collateralFor: async () => genuine.collateral,
      now: () => genuine.now,
    })
    const listing = { creator: provider, manifest }
    const { accepted, refused } = await policy.filter([
      listing,
      { ...listing, creator: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' },
    ])
    expect(accepted.map((l) => l.attestation.status)).toEqual(['verified'])
    expect(refused.map((l) => l.attestation.status === 'refused' && l.attestation.code)).toEqual([
      'ATTESTATION_UNBOUND',
    ])
  })
})
