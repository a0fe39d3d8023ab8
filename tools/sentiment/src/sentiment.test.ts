import { describe, expect, test } from 'vitest'
import { analyzeSentiment, SentimentResult, sentimentTool } from './index.js'

const context = {
  caller: '0x0000000000000000000000000000000000000001',
  termsHash: `0x${'00'.repeat(32)}`,
  signal: new AbortController().signal,
} as const

describe('analyzeSentiment', () => {
  test('AFINN-165 valences, per-word comparative scores and labels', () => {
    const { results, summary } = analyzeSentiment([
      'I love this tool',
      'The package arrived on Tuesday.',
      'Terrible, awful support. Never again!',
    ])
    // love +3 over 4 words; terrible −3, awful −3, support +2 over 5 words.
    expect(results.map((r) => [r.score, r.comparative, r.label])).toEqual([
      [3, 0.75, 'positive'],
      [0, 0, 'neutral'],
      [-4, -0.8, 'negative'],
    ])
    expect(results[2]).toMatchObject({ positive: ['support'], negative: ['awful', 'terrible'] })
    expect(summary).toEqual({
      count: 3,
      positive: 1,
      negative: 1,
      neutral: 1,
      meanScore: -1 / 3,
      meanComparative: (0.75 - 0.8) / 3,
    })
  })

  test('negation flips a word: "not good" counts against', () => {
    const [plain, negated] = analyzeSentiment(['This is good', 'This is not good']).results
    expect(plain).toMatchObject({ score: 3, label: 'positive' })
    expect(negated).toMatchObject({ score: -3, label: 'negative', negative: ['good'] })
  })

  test('the threshold widens the neutral band', () => {
    const text = 'The battery is fine but the screen is dim and the case is average overall today'
    expect(analyzeSentiment([text]).results[0]!.label).toBe('positive')
    expect(analyzeSentiment([text], { threshold: 0.5 }).results[0]!.label).toBe('neutral')
    expect(analyzeSentiment([]).summary).toMatchObject({ count: 0, meanScore: 0 })
  })
})

describe('sentiment tool', () => {
  test('serves analyzeSentiment behind its schemas', async () => {
    const input = sentimentTool.input.parse({ texts: ['Great service!', 'Too slow.'] })
    const output = SentimentResult.parse(await sentimentTool.handler(input, context))
    expect(output.results.map((r) => r.label)).toEqual(['positive', 'neutral'])
    expect(sentimentTool.input.safeParse({ texts: [] }).success).toBe(false)
    expect(sentimentTool.input.safeParse({ texts: ['x'], threshold: -1 }).success).toBe(false)
  })
})
