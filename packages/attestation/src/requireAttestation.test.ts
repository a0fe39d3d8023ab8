// The opt-in consumer policy over listings whose manifests carry dcap-qvl's genuine sample
// quote: fetched collateral, real verification, and every listing refused, for none binds a
// gotong key (verifyAttestation.policy.test.ts shows one accepted, with dcap-qvl stubbed).
import { readFileSync } from 'node:fs'
import { toHex } from 'viem'
import { describe, expect, test, vi } from 'vitest'
import { genuine, provider } from '../test/samples.js'
import { manifestAttestation, manifestAttestationKey } from './manifestAttestation.js'
import { requireAttestation } from './requireAttestation.js'

const { manifest } = JSON.parse(
  readFileSync(new URL('../../../vectors/attestation.json', import.meta.url), 'utf8'),
) as { manifest: Record<string, unknown> }
const { [manifestAttestationKey]: _, ...plain } = manifest
const extension = {
  version: 1 as const,
  tee: 'intel-tdx' as const,
  measurements: [{ ...genuine.measurements }],
}

const inline = {
  ref: 'inline',
  creator: provider,
  manifest: { ...plain, ...manifestAttestation({ ...extension, quote: toHex(genuine.quote) }) },
}
const byUri = {
  ref: 'by-uri',
  creator: provider,
  manifest: {
    ...plain,
    ...manifestAttestation({ ...extension, quoteUri: 'https://provider.example/quote' }),
  },
}
const unattested = { ref: 'unattested', creator: provider, manifest: plain }

describe('requireAttestation', () => {
  test('fetches collateral for the quote, verifies it, and refuses it as unbound', async () => {
    const collateralFor = vi.fn(async (_quote: Uint8Array) => genuine.collateral)
    const policy = requireAttestation({ collateralFor, now: () => genuine.now })
    const { accepted, refused } = await policy.filter([inline, unattested])
    expect(accepted).toEqual([])
    expect(
      refused.map((l) => [l.ref, l.attestation.status === 'refused' && l.attestation.code]),
    ).toEqual([
      ['inline', 'ATTESTATION_UNBOUND'],
      ['unattested', 'ATTESTATION_MISSING'],
    ])
    expect(refused[0]?.attestation).toMatchObject({ tcbStatus: 'UpToDate' })
    expect(collateralFor).toHaveBeenCalledTimes(1)
    expect(collateralFor.mock.calls[0]?.[0]).toEqual(genuine.quote)
  })

  test('a quote served at quoteUri is fetched with quoteFor', async () => {
    const quoteFor = vi.fn(async () => genuine.quote)
    const policy = requireAttestation({
      collateralFor: async () => genuine.collateral,
      quoteFor,
      now: () => genuine.now,
    })
    expect((await policy.check(byUri)).attestation).toMatchObject({ code: 'ATTESTATION_UNBOUND' })
    expect(quoteFor).toHaveBeenCalledWith('https://provider.example/quote')
  })

  test('without quoteFor, a quote served at quoteUri is missing', async () => {
    const policy = requireAttestation({
      collateralFor: async () => genuine.collateral,
      now: () => genuine.now,
    })
    expect((await policy.check(byUri)).attestation).toMatchObject({ code: 'ATTESTATION_MISSING' })
  })

  test('a failed collateral fetch is ATTESTATION_UNAVAILABLE, not a rejection', async () => {
    const policy = requireAttestation({
      collateralFor: async () => {
        throw new TypeError('fetch failed')
      },
      now: () => genuine.now,
    })
    expect((await policy.check(inline)).attestation).toEqual({
      status: 'refused',
      code: 'ATTESTATION_UNAVAILABLE',
      reason: 'The quote or its collateral could not be fetched: fetch failed',
      checkedAt: '2025-07-01T00:00:00.000Z',
    })
  })

  test('stale collateral, checked a year on, is ATTESTATION_STALE', async () => {
    const policy = requireAttestation({
      collateralFor: async () => genuine.collateral,
      now: () => new Date('2026-07-01T00:00:00Z'),
    })
    expect((await policy.check(inline)).attestation).toMatchObject({ code: 'ATTESTATION_STALE' })
  })

  test('a verdict is reused for the same creator and manifest hash until reuseMs passes', async () => {
    const collateralFor = vi.fn(async (_quote: Uint8Array) => genuine.collateral)
    let now = genuine.now.getTime()
    const policy = requireAttestation({ collateralFor, now: () => new Date(now), reuseMs: 1_000 })
    const listing = { ...inline, manifestHash: `0x${'cd'.repeat(32)}` as const }
    const first = await policy.check(listing)
    now += 999
    expect(await policy.check(listing)).toEqual(first)
    expect(collateralFor).toHaveBeenCalledTimes(1)
    now += 1
    await policy.check(listing)
    expect(collateralFor).toHaveBeenCalledTimes(2)
    await policy.check({ ...listing, manifestHash: `0x${'ef'.repeat(32)}` })
    expect(collateralFor).toHaveBeenCalledTimes(3)
  })

  test('a failed fetch is not reused: the next check fetches again', async () => {
    const collateralFor = vi
      .fn(async (_quote: Uint8Array): Promise<unknown> => genuine.collateral)
      .mockRejectedValueOnce(new TypeError('fetch failed'))
    const policy = requireAttestation({ collateralFor, now: () => genuine.now })
    const listing = { ...inline, manifestHash: `0x${'cd'.repeat(32)}` as const }
    expect((await policy.check(listing)).attestation).toMatchObject({
      code: 'ATTESTATION_UNAVAILABLE',
    })
    expect((await policy.check(listing)).attestation).toMatchObject({
      code: 'ATTESTATION_UNBOUND',
    })
  })
})
