// An agent that requires TEE attestations (requireAttestation of @gotong/attestation) on a real
// devnet: one provider has none, the other carries dcap-qvl's genuine sample TDX quote, which
// verifies but binds no gotong key. Both are refused before any money moves; an agent without
// the policy uses them as before.
import { readFileSync } from 'node:fs'
import {
  type AttestationVerdict,
  manifestAttestation,
  requireAttestation,
} from '@gotong/attestation'
import type { Listing } from '@gotong/directory/node'
import { toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { defineTool } from '../src/index.js'
import { type Setup, setup, wordStats } from './fixture.js'

const fixtures = new URL('../../attestation/test/fixtures/', import.meta.url)
const sample = {
  quote: new Uint8Array(readFileSync(new URL('tdx_quote', fixtures))),
  collateral: JSON.parse(readFileSync(new URL('tdx_quote_collateral.json', fixtures), 'utf8')),
  now: new Date('2025-07-01T00:00:00Z'),
  mrTd: '0x91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7',
} as const

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (e: { code?: string }) => e.code,
  )

let t: Setup
beforeAll(async () => {
  t = await setup({ accounts: 5 })
})
afterAll(async () => {
  await t?.stop()
})

describe('requireAttestation', () => {
  test('refuses unattested and unbound providers before paying; without it they serve', async () => {
    const plain = defineTool({ ...wordStats, tags: ['attested-words'] })
    const quoted = defineTool({
      ...wordStats,
      tags: ['attested-words'],
      extensions: manifestAttestation({
        version: 1,
        tee: 'intel-tdx',
        quote: toHex(sample.quote),
        measurements: [{ mrTd: sample.mrTd }],
      }),
    })
    const unattested = await (await t.agent(1)).serve(plain, { price: 1_000n })
    const sampleQuoted = await (await t.agent(2)).serve(quoted, { price: 1_000n })

    const verdicts = new Map<bigint, AttestationVerdict>()
    const policy = requireAttestation({
      collateralFor: async () => sample.collateral,
      now: () => sample.now,
    })
    const recording = {
      async filter(listings: readonly Listing[]) {
        const split = await policy.filter(listings)
        for (const l of [...split.accepted, ...split.refused]) verdicts.set(l.toolId, l.attestation)
        return split
      },
    }
    const strict = await t.agent(3, { requireAttestation: recording })
    expect(await code(strict.negotiate('attested-words'))).toBe('TOOL_NOT_ATTESTED')
    expect(verdicts.get(unattested.toolId)).toMatchObject({ code: 'ATTESTATION_MISSING' })
    expect(verdicts.get(sampleQuoted.toolId)).toMatchObject({
      code: 'ATTESTATION_UNBOUND',
      tcbStatus: 'UpToDate',
      measurements: { mrTd: sample.mrTd },
    })
    expect(await code(strict.call(sampleQuoted.toolId, { text: 'quoted words' }))).toBe(
      'TOOL_NOT_ATTESTED',
    )
    expect(await code(strict.call(unattested.toolId, { text: 'plain words' }))).toBe(
      'TOOL_NOT_ATTESTED',
    )
    expect(strict.ledger().paid).toEqual([])
    expect(await t.balance(strict.address)).toBe(10_000n * 10n ** 6n)

    const lenient = await t.agent(4)
    const result = await lenient.call(sampleQuoted.toolId, { text: 'quoted words' })
    expect(result.output).toEqual({ words: 2, characters: 12, longest: 'quoted' })
    expect(result.price).toBe(1_000n)
  })
})
