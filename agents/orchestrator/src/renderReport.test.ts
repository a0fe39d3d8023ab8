import { parseCsv, profileDataset } from '@gotong/tool-dataset-stats'
import { dedupeRecords } from '@gotong/tool-dedupe'
import { extractKeywords } from '@gotong/tool-keywords'
import { analyzeSentiment } from '@gotong/tool-sentiment'
import { summarizeExtractive } from '@gotong/tool-summarize'
import { describe, expect, test } from 'vitest'
import { type CallRecord, renderReport } from './renderReport.js'

const csv = [
  'product,rating,review',
  'Phone,5,The battery life is excellent and the screen is gorgeous.',
  'Phone,1,Terrible support | I waited two weeks for a reply.',
  'Phone,5,The battery life is excellent and the screen is gorgeous.',
  'Tablet,,Battery life could be better but the screen is bright.',
].join('\n')

const call = (step: CallRecord['step'], toolId: bigint, price: bigint): CallRecord => ({
  step,
  tool: step,
  toolId,
  ref: `eip155:31337/erc8257:0x00/${toolId}`,
  provider: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  price,
  listedPrice: price,
  p95LatencyMs: 800,
  channelId: `0x${'11'.repeat(32)}`,
  requestHash: `0x${'22'.repeat(32)}`,
})

describe('renderReport', () => {
  test('overview, columns, duplicates, text findings and the calls, deterministically', () => {
    const rows = parseCsv(csv)
    const reviews = rows.map((r) => r.review!)
    const input = {
      goal: 'profile this dataset',
      profile: profileDataset(rows),
      dedupe: dedupeRecords(rows),
      textColumns: ['review'],
      keywords: extractKeywords(reviews.join('\n'), { limit: 3 }),
      sentiment: analyzeSentiment(reviews),
      summary: summarizeExtractive(reviews.join('\n'), { maxSentences: 1 }),
      calls: [call('statistics', 1n, 2_000n), call('keywords', 4n, 2_000n)],
      skipped: [{ step: 'summarize' as const, code: 'NO_OFFER', message: 'no provider offers it' }],
    }
    const report = renderReport(input)
    expect(report).toBe(renderReport(input))
    expect(report).toContain(
      '- 4 rows, 3 columns.\n- Missing values in rating (1).\n- 1 duplicate row; 3 unique.',
    )
    expect(report).toContain(
      '| rating | number | 3 | 1 | 2 | min 1, max 5, mean 3.667, median 5, sd 2.309 |',
    )
    expect(report).toContain(
      '| review | string | 4 | 0 | 3 | top: The battery life is exc… (2), Battery life could be b… (1), Terrible support \\| I wa… (1); mean length 54.5 |',
    )
    expect(report).toContain('- rows 1, 3 match (key 0x')
    expect(report).toContain('**Keywords:** ')
    expect(report).toContain('**Sentiment:** 3 positive, 1 negative, 0 neutral of 4')
    expect(report).toContain('**Summary** (extractive): ')
    expect(report).toContain('- summarize: no provider offers it (NO_OFFER)')
    expect(report).toContain('| statistics | statistics #1 | 0x7099…79C8 | 0.002 | — |')
    expect(report.endsWith('Total: 0.004 gUSD over 2 paid calls.\n')).toBe(true)
  })

  test('a summary of texts that repeat says each sentence once', () => {
    const texts = [
      'The battery life is excellent and the screen is gorgeous.',
      'Terrible support, I waited two weeks for a reply.',
      'The battery life is excellent and the screen is gorgeous.',
      'Battery life could be better but the screen is bright.',
      'The battery life is excellent and the screen is gorgeous.',
    ]
    const report = renderReport({
      goal: 'summarize',
      summary: summarizeExtractive(texts.join('\n'), { maxSentences: 3 }),
      calls: [],
    })
    const summary = /\*\*Summary\*\* \(extractive\): (.*)\n/.exec(report)?.[1] ?? ''
    for (const text of new Set(texts)) expect(summary.split(text)).toHaveLength(2)
  })

  test('failed steps are listed under "Not done" with their codes', () => {
    const report = renderReport({
      goal: 'x',
      calls: [],
      failures: [{ step: 'statistics', code: 'INPUT_INVALID', message: 'ref: bad CSV' }],
    })
    expect(report).toContain('## Not done\n\n- statistics: ref: bad CSV (INPUT_INVALID)\n')
  })

  test('without calls or results it still says what happened', () => {
    expect(renderReport({ goal: 'x', calls: [] })).toBe(
      '# Dataset report\n\nGoal: x\n\n## Tools bought\n\nNo calls were made.\n',
    )
  })
})
