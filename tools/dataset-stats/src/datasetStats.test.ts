import { toolManifestSchema, toolManifestType } from '@gotong/core'
import { type Tool, ToolInputError } from '@gotong/tool'
import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import {
  createDatasetStatsTool,
  DatasetError,
  DatasetProfile,
  datasetStatsTool,
  parseCsv,
  profileDataset,
} from './index.js'

const weather = [
  'id,city,temp,rained,date,note',
  '1,Jakarta,31,true,2024-01-01,hot and humid',
  '2,Bandung,24,false,2024-01-02,',
  '3,Jakarta,33,true,2024-01-03,NA',
  '4,Surabaya,,false,2024-01-04,very hot',
].join('\n')

const context = {
  caller: '0x0000000000000000000000000000000000000001',
  termsHash: `0x${'00'.repeat(32)}`,
  signal: new AbortController().signal,
} as const

const run = async (tool: typeof datasetStatsTool, input: unknown) =>
  tool.output.parse(await tool.handler(tool.input.parse(input), context))

// The tool's part of the manifest an agent publishes (pricing and terms come from the agent),
// so the ERC-8257 rules on names, tags and schema size are checked without serving it.
const manifestOf = (tool: Tool) => ({
  type: toolManifestType,
  name: tool.name,
  description: tool.description,
  endpoint: 'https://tools.example/dataset-stats',
  inputs: z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }),
  outputs: z.toJSONSchema(tool.output, { io: 'input', unrepresentable: 'any' }),
  creatorAddress: '0x00000000000000000000000000000000000000aa',
  version: tool.version,
  tags: [...tool.tags],
})

const code = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    return error instanceof DatasetError ? error.code : `not a DatasetError: ${error}`
  }
  return 'no error'
}

describe('profileDataset', () => {
  test('types, missing values and statistics of a CSV', () => {
    const profile = profileDataset(parseCsv(weather))
    expect(profile.rowCount).toBe(4)
    expect(profile.columns.map((c) => [c.name, c.type, c.count, c.missing, c.distinct])).toEqual([
      ['id', 'number', 4, 0, 4],
      ['city', 'string', 4, 0, 3],
      ['temp', 'number', 3, 1, 3],
      ['rained', 'boolean', 4, 0, 2],
      ['date', 'date', 4, 0, 4],
      ['note', 'string', 2, 2, 2],
    ])
    const temp = profile.columns[2]!.numeric!
    expect(temp).toMatchObject({ min: 24, max: 33, median: 31, sum: 88 })
    expect(temp.mean).toBeCloseTo(88 / 3, 12)
    // Sample standard deviation: sqrt(Σ(x − mean)² / (n − 1)).
    expect(temp.stddev).toBeCloseTo(
      Math.sqrt(((31 - 88 / 3) ** 2 + (24 - 88 / 3) ** 2 + (33 - 88 / 3) ** 2) / 2),
      12,
    )
    expect(profile.columns[1]!.top).toEqual([
      { value: 'Jakarta', count: 2 },
      { value: 'Bandung', count: 1 },
      { value: 'Surabaya', count: 1 },
    ])
    expect(profile.columns[3]!.top).toEqual([
      { value: 'false', count: 2 },
      { value: 'true', count: 2 },
    ])
    expect(profile.columns[4]!.dates).toEqual({ min: '2024-01-01', max: '2024-01-04' })
    expect(profile.columns[5]!.text).toEqual({ minLength: 8, maxLength: 13, meanLength: 10.5 })
    expect(profile.correlations).toBeUndefined()
  })

  test('JSON rows: numbers, numeric strings, mixed kinds, absent keys', () => {
    const profile = profileDataset([
      { n: 1, tag: 'a', extra: { deep: true } },
      { n: '2.5', tag: 7 },
      { n: 1e3, tag: null },
    ])
    expect(profile.columns.map((c) => [c.name, c.type, c.missing])).toEqual([
      ['n', 'number', 0],
      ['tag', 'mixed', 1],
      ['extra', 'mixed', 2],
    ])
    expect(profile.columns[0]!.numeric).toMatchObject({ min: 1, max: 1000, median: 2.5 })
    expect(profile.columns[1]!.kinds).toEqual({ number: 1, string: 1 })
    expect(profile.columns[2]!.top).toEqual([{ value: '{"deep":true}', count: 1 }])
  })

  test('full detail adds quartiles and Pearson correlations', () => {
    const profile = profileDataset(parseCsv(weather), { detail: 'full' })
    expect(profile.columns[0]!.numeric).toMatchObject({ p25: 1.75, median: 2.5, p75: 3.25 })
    // id and temp share three rows: (1,31) (2,24) (3,33).
    expect(profile.correlations).toHaveLength(1)
    const [r] = profile.correlations!
    expect(r).toMatchObject({ a: 'id', b: 'temp', pairs: 3 })
    expect(r!.pearson).toBeCloseTo(2 / Math.sqrt(2 * (134 / 3)), 12)
  })

  test('a single value has zero spread; a constant column has no correlation', () => {
    const profile = profileDataset(
      [
        { x: 5, y: 1 },
        { x: 5, y: 2 },
        { x: 5, y: 3 },
      ],
      { detail: 'full' },
    )
    expect(profile.columns[0]!.numeric).toMatchObject({ stddev: 0, mean: 5 })
    expect(profile.correlations).toEqual([])
    expect(profileDataset([{ x: 1 }]).columns[0]!.numeric!.stddev).toBe(0)
  })

  test('typed errors for empty, ragged and ambiguous CSV', () => {
    expect(code(() => profileDataset([]))).toBe('DATASET_EMPTY')
    expect(code(() => profileDataset(parseCsv('a,b\n')))).toBe('DATASET_EMPTY')
    expect(code(() => parseCsv('a,b\n1,2,3\n'))).toBe('CSV_INVALID')
    expect(code(() => parseCsv('a,a\n1,2\n'))).toBe('CSV_INVALID')
    expect(code(() => parseCsv('a,b\n"unclosed,2\n'))).toBe('CSV_INVALID')
    const wide = `${Array.from({ length: 501 }, (_, i) => `c${i}`).join(',')}\n`
    expect(code(() => parseCsv(wide))).toBe('DATASET_TOO_WIDE')
  })

  test('CSV details: quoted fields, BOM, other delimiters, blank header names', () => {
    expect(parseCsv('\ufeffname,quote\n"Doe, J.","said ""hi"""\n')).toEqual([
      { name: 'Doe, J.', quote: 'said "hi"' },
    ])
    expect(parseCsv('a;;c\n1;2;3\n', { delimiter: ';' })).toEqual([
      { a: '1', column_2: '2', c: '3' },
    ])
  })
})

describe('dataset-stats tool', () => {
  test('profiles CSV and rows alike; output matches its schema', async () => {
    const fromCsv = await run(datasetStatsTool, { csv: 'a,b\n1,x\n2,y\n' })
    const fromRows = await run(datasetStatsTool, {
      rows: [
        { a: 1, b: 'x' },
        { a: 2, b: 'y' },
      ],
    })
    expect(fromCsv).toEqual(fromRows)
    expect(DatasetProfile.parse(fromCsv).detail).toBe('basic')
    expect(JSON.parse(JSON.stringify(fromCsv))).toEqual(fromCsv)
  })

  test('a dataset it cannot read is an input error with the parser’s reason, not a failure', async () => {
    const handle = async (csv: string) => datasetStatsTool.handler({ csv }, context)
    const refusal = await handle('a,b\n1,2,3\n').catch((error: unknown) => error)
    expect(refusal).toBeInstanceOf(ToolInputError)
    expect(refusal).toMatchObject({
      code: 'INPUT_INVALID',
      reason: 'CSV_INVALID',
      message: expect.stringMatching(/^The CSV could not be parsed: Invalid Record Length/),
    })
    await expect(handle('a,b\n')).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      reason: 'DATASET_EMPTY',
    })
  })

  test('refuses both or neither of csv and rows', () => {
    expect(datasetStatsTool.input.safeParse({}).success).toBe(false)
    expect(datasetStatsTool.input.safeParse({ csv: 'a\n1', rows: [{ a: 1 }] }).success).toBe(false)
    expect(datasetStatsTool.input.safeParse({ rows: [] }).success).toBe(false)
  })

  test('the premium variant and both manifests are publishable', async () => {
    const premium = createDatasetStatsTool({ name: 'dataset-stats-premium', detail: 'full' })
    expect((await run(premium, { csv: weather })).correlations).toHaveLength(1)
    for (const tool of [datasetStatsTool, premium]) {
      const manifest = manifestOf(tool)
      const parsed = toolManifestSchema().safeParse(manifest)
      expect(parsed.error?.issues).toBeUndefined()
      expect(manifest.tags).toEqual(['statistics', 'dataset', 'csv'])
    }
  })
})
