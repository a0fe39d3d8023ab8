import canonicalize from 'canonicalize'
import { describe, expect, test } from 'vitest'
import { canonicalJson, InvalidInputError } from '../src/index.js'

// Values that take the fast walk, and values that must go to the package: every one must come
// out exactly as the package writes it.
const values: Record<string, unknown> = {
  'a call body': {
    termsHash: `0x${'ab'.repeat(32)}`,
    input: { text: 'many hands make light work', n: 3, ok: true, none: null },
    payment: {
      voucher: { calls: '12', cumulativeAmount: '120' },
      signature: `0x${'ef'.repeat(65)}`,
    },
  },
  'keys RFC 8785 orders by UTF-16 code units': {
    b: 1,
    a: 2,
    A: 3,
    é: 4,
    '\u20ac': 5,
    '10': 6,
    '9': 7,
  },
  'numbers as ECMAScript writes them': [0, -0, 1e21, 1e-7, 0.1 + 0.2, -1.5e300, 2 ** 53 + 1],
  'escapes in strings': ['line\nbreak', 'quote " and \\ backslash', '\u0000\u001f\u007f', '😀'],
  'nested arrays and empty containers': [[], {}, [[1, [2, [3]]]], { a: { b: { c: [] } } }],
  'undefined members are dropped': { a: undefined, b: 1 },
  'undefined array items are null': [undefined, 1],
  // biome-ignore lint/suspicious/noSparseArray: a hole is what this case is about
  'holes in arrays': [1, , 3],
  toJSON: { when: new Date(0), custom: { toJSON: () => ({ z: 1, y: 2 }) } },
  'a paired surrogate in a key': { '😀': 1 },
  'a class instance': new (class Point {
    x = 1
    y = 2
  })(),
  'deeper than the fast walk goes': JSON.parse(`${'['.repeat(100)}1${']'.repeat(100)}`),
}

describe('canonicalJson', () => {
  for (const [name, value] of Object.entries(values))
    test(`writes what the canonicalize package writes: ${name}`, () => {
      expect(canonicalJson(value)).toBe(canonicalize(value))
    })

  test('refuses what the package refuses, with its reason', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const refused = [Number.NaN, [Number.POSITIVE_INFINITY], { s: 'lone \ud800' }, cyclic, 1n]
    for (const value of refused) {
      let reason: string | undefined
      try {
        canonicalize(value)
      } catch (error) {
        reason = String(error)
      }
      expect(reason).toBeDefined()
      expect(() => canonicalJson(value)).toThrow(InvalidInputError)
      expect(() => canonicalJson(value)).toThrow(reason)
    }
  })
})
