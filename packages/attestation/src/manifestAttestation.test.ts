import { describe, expect, test } from 'vitest'
import { ManifestAttestation } from './manifestAttestation.js'

const mrTd = `0x${'ab'.repeat(48)}`
const base = { version: 1, tee: 'intel-tdx', measurements: [{ mrTd }] }

describe('ManifestAttestation', () => {
  test('takes an inline quote or a quote URI', () => {
    expect(ManifestAttestation.safeParse({ ...base, quote: '0x0400' }).success).toBe(true)
    expect(
      ManifestAttestation.safeParse({ ...base, quoteUri: 'https://provider.example/quote' })
        .success,
    ).toBe(true)
  })

  test.each([
    ['both quote and quoteUri', { ...base, quote: '0x04', quoteUri: 'https://a.example/q' }],
    ['neither quote nor quoteUri', base],
    ['uppercase hex', { ...base, quote: '0x0A' }],
    ['an http quote URI', { ...base, quoteUri: 'http://provider.example/quote' }],
    ['no measurements', { ...base, measurements: [], quote: '0x04' }],
    [
      'a 32-byte MRTD',
      { ...base, measurements: [{ mrTd: `0x${'ab'.repeat(32)}` }], quote: '0x04' },
    ],
    ['an unknown key', { ...base, quote: '0x04', debug: true }],
    ['another TEE', { ...base, tee: 'amd-sev-snp', quote: '0x04' }],
    ['a quote over 16 KiB', { ...base, quote: `0x${'00'.repeat(16_385)}` }],
  ])('refuses %s', (_, value) => {
    expect(ManifestAttestation.safeParse(value).success).toBe(false)
  })
})
