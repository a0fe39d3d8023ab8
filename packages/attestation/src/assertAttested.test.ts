import { BaseError } from '@gotong/core'
import { describe, expect, test } from 'vitest'
import { genuine, provider } from '../test/samples.js'
import { assertAttested } from './assertAttested.js'
import { AttestationError } from './errors.js'
import type { AttestationVerdict } from './verdict.js'
import { verifyAttestation } from './verifyAttestation.js'

describe('assertAttested', () => {
  test("throws a refusal as an AttestationError with the verdict's code", () => {
    const verdict = verifyAttestation({
      quote: genuine.quote,
      collateral: genuine.collateral,
      now: genuine.now,
      expected: { signer: provider, manifestHash: `0x${'ab'.repeat(32)}` },
      measurements: [genuine.measurements],
    })
    let thrown: unknown
    try {
      assertAttested(verdict)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(AttestationError)
    expect(thrown).toBeInstanceOf(BaseError)
    expect(thrown).toMatchObject({
      code: 'ATTESTATION_UNBOUND',
      metaMessages: [
        'Checked at: 2025-07-01T00:00:00.000Z',
        'TCB status: UpToDate',
        `MRTD: ${genuine.measurements.mrTd}`,
      ],
    })
  })

  test('returns a verified verdict as it is', () => {
    const verified: AttestationVerdict = {
      status: 'verified',
      tee: 'intel-tdx',
      tcbStatus: 'UpToDate',
      advisoryIds: [],
      measurements: genuine.measurements,
      reportData: `0x${'00'.repeat(64)}`,
      checkedAt: '2025-07-01T00:00:00.000Z',
    }
    expect(assertAttested(verified)).toBe(verified)
  })
})
