import { describe, expect, test } from 'vitest'
import {
  englishStopwords,
  extractKeywords,
  KeywordsResult,
  keywordsTool,
  splitSentences,
  tokenize,
} from './index.js'

const context = {
  caller: '0x0000000000000000000000000000000000000001',
  termsHash: `0x${'00'.repeat(32)}`,
  signal: new AbortController().signal,
} as const

// The opening of the abstract RAKE's paper (Rose et al., 2010) works through.
const abstract =
  'Compatibility of systems of linear constraints over the set of natural numbers. Criteria of compatibility of a system of linear Diophantine equations, strict inequations, and nonstrict inequations are considered.'

describe('extractKeywords', () => {
  test('RAKE reproduces the paper’s scores (degree ÷ frequency, summed per phrase)', () => {
    const result = extractKeywords(abstract, { limit: 6 })
    expect(result).toMatchObject({ method: 'rake', sentences: 2, words: 29 })
    expect(result.keywords).toEqual([
      { term: 'linear diophantine equations', score: 8.5, count: 1 },
      { term: 'linear constraints', score: 4.5, count: 1 },
      { term: 'natural numbers', score: 4, count: 1 },
      { term: 'nonstrict inequations', score: 4, count: 1 },
      { term: 'strict inequations', score: 4, count: 1 },
      { term: 'compatibility', score: 1, count: 2 },
    ])
  })

  test('RAKE drops phrases longer than maxWords but counts their words', () => {
    // payment and channels: frequency 2, degree 5 + 2 = 7, so each scores 3.5
    const text = 'Open payment channels settle quickly. Payment channels.'
    expect(extractKeywords(text).keywords).toEqual([
      { term: 'payment channels', score: 7, count: 1 },
    ])
    expect(extractKeywords(text, { maxWords: 5 }).keywords[0]).toEqual({
      term: 'open payment channels settle quickly',
      score: 5 + 3.5 + 3.5 + 5 + 5, // payment, channels: degree 7 over 2 phrases
      count: 1,
    })
  })

  test('TF-IDF over sentences: count × (ln((1 + N) / (1 + df)) + 1)', () => {
    const result = extractKeywords('Cats purr. Cats sleep. Dogs bark.', { method: 'tfidf' })
    expect(result.keywords.map((k) => k.term)).toEqual(['cats', 'bark', 'dogs', 'purr', 'sleep'])
    expect(result.keywords[0]!.score).toBeCloseTo(2 * (Math.log(4 / 3) + 1), 12)
    expect(result.keywords[1]!.score).toBeCloseTo(Math.log(4 / 2) + 1, 12)
  })

  test('stopwords, numbers and one-letter words never become keywords', () => {
    const result = extractKeywords("It's not 42 times, it's just x. I don't know.", {
      method: 'tfidf',
    })
    expect(result.keywords.map((k) => k.term)).toEqual(['know', 'times'])
    expect(englishStopwords.has('not')).toBe(true)
    expect(extractKeywords('').keywords).toEqual([])
  })

  test('sentences and words', () => {
    expect(splitSentences('Hello there. How are you?\nFine…  ok\n\n!')).toEqual([
      'Hello there.',
      'How are you?',
      'Fine…',
      'ok',
    ])
    expect(tokenize("Gotong-royong isn't EASY, 3.5 times")).toEqual([
      'gotong-royong',
      "isn't",
      'easy',
      '3',
      '5',
      'times',
    ])
  })
})

describe('keywords tool', () => {
  test('serves extractKeywords behind its schemas', async () => {
    const input = keywordsTool.input.parse({ text: abstract, limit: 2, method: 'rake' })
    const output = KeywordsResult.parse(await keywordsTool.handler(input, context))
    expect(output.keywords.map((k) => k.term)).toEqual([
      'linear diophantine equations',
      'linear constraints',
    ])
    expect(keywordsTool.input.safeParse({ text: '' }).success).toBe(false)
    expect(keywordsTool.input.safeParse({ text: 'a', limit: 51 }).success).toBe(false)
  })
})
