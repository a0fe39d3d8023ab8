import { InvalidInputError } from '@gotong/core'
import { keccak256, stringToBytes } from 'viem'
import { describe, expect, test } from 'vitest'
import { DedupeError, DedupeResult, dedupeRecords, dedupeTool } from './index.js'

const context = {
  caller: '0x0000000000000000000000000000000000000001',
  termsHash: `0x${'00'.repeat(32)}`,
  signal: new AbortController().signal,
} as const

const run = async (input: unknown) =>
  DedupeResult.parse(await dedupeTool.handler(dedupeTool.input.parse(input), context))

describe('dedupeRecords', () => {
  test('ids are keccak256 of RFC 8785 canonical JSON: key order does not matter', () => {
    const result = dedupeRecords([{ b: 2, a: 1 }, { a: 1, b: 2 }, { a: 1, b: 3 }, 'x'])
    const id = keccak256(stringToBytes('{"a":1,"b":2}'))
    expect(result).toMatchObject({ total: 4, unique: 3, duplicates: 1 })
    expect(result.records.map((r) => [r.index, r.id])).toEqual([
      [0, id],
      [2, keccak256(stringToBytes('{"a":1,"b":3}'))],
      [3, keccak256(stringToBytes('"x"'))],
    ])
    expect(result.records[0]!.record).toEqual({ b: 2, a: 1 }) // the first occurrence, as given
    expect(result.groups).toEqual([{ key: id, count: 2, indices: [0, 1], ids: [id, id] }])
  })

  test('nested values and numbers canonicalize (1.50 and 1.5 are one number)', () => {
    const result = dedupeRecords(
      JSON.parse('[{"x":[1.50,{"z":1,"y":2}]},{"x":[1.5,{"y":2,"z":1}]}]'),
    )
    expect(result.unique).toBe(1)
    expect(result.records[0]!.id).toBe(keccak256(stringToBytes('{"x":[1.5,{"y":2,"z":1}]}')))
  })

  test('fields, ignoreCase and trim choose what counts as equal; ids stay whole-record', () => {
    const people = [
      { name: 'Ada Lovelace', email: 'ADA@example.org', seen: 1 },
      { name: 'Ada Lovelace', email: ' ada@example.org', seen: 2 },
      { name: 'Grace Hopper', email: 'grace@example.org', seen: 3 },
      { name: 'Grace Hopper', seen: 4 },
    ]
    expect(dedupeRecords(people, { fields: ['email'] }).unique).toBe(4)
    const loose = dedupeRecords(people, { fields: ['email'], ignoreCase: true, trim: true })
    expect(loose.unique).toBe(3)
    expect(loose.groups).toHaveLength(1)
    expect(loose.groups[0]!.indices).toEqual([0, 1])
    expect(new Set(loose.groups[0]!.ids).size).toBe(2) // different records, same key
    expect(loose.groups[0]!.key).toBe(keccak256(stringToBytes('{"email":"ada@example.org"}')))
    // An absent field compares as null.
    expect(dedupeRecords([{ a: null }, {}], { fields: ['a'] }).unique).toBe(1)
  })

  test('typed errors: fields of non-objects, values that are not JSON', () => {
    const error = (fn: () => unknown) => {
      try {
        fn()
      } catch (e) {
        return e
      }
    }
    const fields = error(() => dedupeRecords([{ a: 1 }, [1]], { fields: ['a'] }))
    expect(fields).toBeInstanceOf(DedupeError)
    expect((fields as DedupeError).code).toBe('FIELDS_NEED_OBJECTS')
    expect(error(() => dedupeRecords([{ a: 1n }]))).toBeInstanceOf(InvalidInputError)
  })
})

describe('dedupe tool', () => {
  test('CSV rows and JSON records of the same data get the same ids', async () => {
    const fromCsv = await run({ csv: 'name,city\nAda,London\nGrace,New York\nAda,London\n' })
    const fromJson = await run({
      records: [
        { name: 'Ada', city: 'London' },
        { city: 'New York', name: 'Grace' },
        { name: 'Ada', city: 'London' },
      ],
    })
    expect(fromCsv).toMatchObject({ total: 3, unique: 2, duplicates: 1 })
    expect(fromCsv.records.map((r) => r.id)).toEqual(fromJson.records.map((r) => r.id))
    expect(fromCsv.groups[0]!.indices).toEqual([0, 2])
  })

  test('input schema: exactly one source', () => {
    expect(dedupeTool.input.safeParse({}).success).toBe(false)
    expect(dedupeTool.input.safeParse({ records: [1], csv: 'a\n1' }).success).toBe(false)
    expect(dedupeTool.input.safeParse({ records: [1], fields: [] }).success).toBe(false)
  })
})
