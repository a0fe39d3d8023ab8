// dcap-qvl's published sample quotes, verified offline against Intel's production root at a
// pinned time. None of them binds a gotong key, so a genuine one ends ATTESTATION_UNBOUND;
// verifyAttestation.policy.test.ts shows the verified path with a report that does.
import dcapQvl from '@phala/dcap-qvl'
import { describe, expect, test } from 'vitest'
import { genuine, outdated, provider } from '../test/samples.js'
import { attestationReportData } from './attestationReportData.js'
import { AttestationError } from './errors.js'
import { verifyAttestation } from './verifyAttestation.js'

const expected = { signer: provider, manifestHash: `0x${'ab'.repeat(32)}` } as const

const check = (overrides: Partial<Parameters<typeof verifyAttestation>[0]> = {}) =>
  verifyAttestation({
    quote: genuine.quote,
    collateral: genuine.collateral,
    now: genuine.now,
    expected,
    measurements: [genuine.measurements],
    ...overrides,
  })

describe('the genuine sample', () => {
  test('verifies to Intel root, up to date, allowed, and is refused as unbound for a gotong key', () => {
    expect(check()).toEqual({
      status: 'refused',
      code: 'ATTESTATION_UNBOUND',
      reason: `The report data is not ${attestationReportData(expected)}, which binds ${provider} and manifest ${expected.manifestHash}.`,
      tcbStatus: 'UpToDate',
      advisoryIds: [],
      measurements: genuine.measurements,
      reportData: genuine.reportData,
      checkedAt: '2025-07-01T00:00:00.000Z',
    })
  })

  test('given as 0x-hex, as a manifest carries it, reads the same', () => {
    const hex = `0x${Buffer.from(genuine.quote).toString('hex')}` as const
    expect(check({ quote: hex })).toEqual(check())
  })

  test('with an MRTD outside the allowlist is MEASUREMENT_NOT_ALLOWED', () => {
    const other = { mrTd: `0x${'11'.repeat(48)}` } as const
    expect(check({ measurements: [other] })).toMatchObject({
      status: 'refused',
      code: 'MEASUREMENT_NOT_ALLOWED',
      measurements: { mrTd: genuine.measurements.mrTd },
    })
  })

  test('with its MRTD allowed but another RTMR3 is MEASUREMENT_NOT_ALLOWED', () => {
    const entry = { mrTd: genuine.measurements.mrTd, rtmr3: `0x${'22'.repeat(48)}` } as const
    expect(check({ measurements: [entry] })).toMatchObject({ code: 'MEASUREMENT_NOT_ALLOWED' })
  })

  test('an entry naming only its MRTD lets it through to the binding check', () => {
    expect(check({ measurements: [{ mrTd: genuine.measurements.mrTd }] })).toMatchObject({
      code: 'ATTESTATION_UNBOUND',
    })
  })

  test('under a policy that does not accept UpToDate is TCB_NOT_ACCEPTED', () => {
    expect(check({ acceptedTcbStatuses: ['SWHardeningNeeded'] })).toMatchObject({
      code: 'TCB_NOT_ACCEPTED',
      tcbStatus: 'UpToDate',
    })
  })
})

describe('a tampered quote or collateral', () => {
  test('a flipped byte in the quote body fails the quote signature', () => {
    const quote = genuine.quote.slice()
    quote[genuine.reportDataOffset + 5] = (quote[genuine.reportDataOffset + 5] ?? 0) ^ 0x01
    expect(check({ quote })).toEqual({
      status: 'refused',
      code: 'ATTESTATION_INVALID',
      reason: 'The quote does not verify: ISV enclave report signature is invalid.',
      checkedAt: '2025-07-01T00:00:00.000Z',
    })
  })

  test('report data rewritten to bind a gotong key fails the quote signature', () => {
    const quote = genuine.quote.slice()
    quote.set(
      Buffer.from(attestationReportData(expected).slice(2), 'hex'),
      genuine.reportDataOffset,
    )
    expect(check({ quote })).toMatchObject({ code: 'ATTESTATION_INVALID' })
    expect(check({ quote })).not.toHaveProperty('reportData')
  })

  test('a flipped byte in the TCB info fails its signature', () => {
    const tcbInfo = String(genuine.collateral.tcb_info).replace('"UpToDate"', '"UpToDatf"')
    expect(check({ collateral: { ...genuine.collateral, tcb_info: tcbInfo } })).toMatchObject({
      code: 'ATTESTATION_INVALID',
      reason: 'The quote does not verify: Signature is invalid for tcb_info.',
    })
  })

  test('a truncated quote does not decode', () => {
    expect(check({ quote: genuine.quote.slice(0, 600) })).toMatchObject({
      code: 'ATTESTATION_INVALID',
      reason: 'The quote does not verify: Failed to decode quote.',
    })
  })

  test('collateral missing its TCB info is refused before the verifier runs', () => {
    const { tcb_info: _, ...collateral } = genuine.collateral
    expect(check({ collateral })).toMatchObject({ code: 'ATTESTATION_INVALID' })
  })
})

describe('time', () => {
  test('after the TCB info expires the quote is ATTESTATION_STALE', () => {
    expect(check({ now: new Date('2026-07-01T00:00:00Z') })).toEqual({
      status: 'refused',
      code: 'ATTESTATION_STALE',
      reason: 'Not valid at 2026-07-01T00:00:00.000Z: TCBInfo expired.',
      checkedAt: '2026-07-01T00:00:00.000Z',
    })
  })

  test('before the TCB info is issued the quote is ATTESTATION_STALE', () => {
    expect(check({ now: new Date('2025-06-01T00:00:00Z') })).toMatchObject({
      code: 'ATTESTATION_STALE',
      reason: 'Not valid at 2025-06-01T00:00:00.000Z: TCBInfo issue date is in the future.',
    })
  })
})

describe('the out-of-date sample', () => {
  test('is TCB_OUT_OF_DATE: below every TCB level Intel lists for its platform', () => {
    expect(
      check({
        quote: outdated.quote,
        collateral: outdated.collateral,
        now: outdated.now,
        measurements: [{ mrTd: outdated.mrTd }],
      }),
    ).toEqual({
      status: 'refused',
      code: 'TCB_OUT_OF_DATE',
      reason: "The platform's TCB is below every level in Intel's TCB info.",
      tcbStatus: 'BelowAllLevels',
      checkedAt: '2026-03-01T00:00:00.000Z',
    })
  })

  test("is below every level indeed: its CPU SVN is lower somewhere than each signed level's", () => {
    const quote = dcapQvl.Quote.parse(outdated.quote)
    const [pck] = dcapQvl.utils.extractCerts(
      Buffer.from(quote.authData.intoV3().certificationData.body),
    )
    const cpuSvn = [...dcapQvl.utils.getCpuSvn(dcapQvl.utils.getIntelExtension(pck as Buffer))]
    const tcbInfo = JSON.parse(String(outdated.collateral.tcb_info)) as {
      tcbLevels: { tcb: { sgxtcbcomponents: { svn: number }[] }; tcbStatus: string }[]
    }
    expect(tcbInfo.tcbLevels.map((level) => level.tcbStatus)).toEqual([
      'UpToDate',
      'OutOfDate',
      'OutOfDate',
    ])
    for (const level of tcbInfo.tcbLevels)
      expect(cpuSvn.some((svn, i) => svn < (level.tcb.sgxtcbcomponents[i]?.svn ?? 0))).toBe(true)
  })

  test('is TCB_OUT_OF_DATE whatever TCB statuses the policy accepts', () => {
    expect(
      check({
        quote: outdated.quote,
        collateral: outdated.collateral,
        now: outdated.now,
        acceptedTcbStatuses: ['UpToDate', 'OutOfDate', 'BelowAllLevels'],
      }),
    ).toMatchObject({ code: 'TCB_OUT_OF_DATE' })
  })

  test('with a flipped byte is ATTESTATION_INVALID, not out of date', () => {
    const quote = outdated.quote.slice()
    quote[200] = (quote[200] ?? 0) ^ 0x80
    expect(check({ quote, collateral: outdated.collateral, now: outdated.now })).toMatchObject({
      code: 'ATTESTATION_INVALID',
    })
  })
})

describe('parameters', () => {
  test('an empty allowlist is refused as a parameter error, never as "anything goes"', () => {
    expect(() => check({ measurements: [] })).toThrowError(AttestationError)
    expect(() => check({ measurements: [] })).toThrowError(
      expect.objectContaining({ code: 'ATTESTATION_PARAMETERS_INVALID' }),
    )
  })

  test('a signer that is not an address is ATTESTATION_PARAMETERS_INVALID', () => {
    expect(() =>
      check({ expected: { signer: '0x1234', manifestHash: expected.manifestHash } }),
    ).toThrowError(expect.objectContaining({ code: 'ATTESTATION_PARAMETERS_INVALID' }))
  })
})
