import { describe, expect, test } from 'vitest'
import { ftsDocument, ftsPhrases } from './ftsTerms.js'

describe('FTS5 terms, as the SQLite index tokenizes', () => {
  test('a listing: stemmed, folded terms counted per column, and its length', () => {
    const document = ftsDocument({
      name: 'weather-now',
      description: 'Forecasts for every café, weather permitting.',
      tags: ['weather', 'forecast'],
    })
    expect(Object.fromEntries(document.terms)).toEqual({
      weather: [1, 1, 1],
      now: [1, 0, 0],
      forecast: [0, 1, 1],
      for: [0, 1, 0],
      everi: [0, 1, 0],
      cafe: [0, 1, 0],
      permit: [0, 1, 0],
    })
    expect(document.length).toBe(10)
  })

  test('search text: one phrase per word, repeats kept, punctuation dropped', () => {
    expect(ftsPhrases('Weather, forecasts! weather')).toEqual([
      ['weather'],
      ['forecast'],
      ['weather'],
    ])
    expect(ftsPhrases('  ?! ')).toEqual([])
  })
})
