import { ftsDocument } from '@gotong/directory/node'
import { expect, test } from 'vitest'
import { cachedFtsDocument } from '../node/cachedFtsDocument.js'

const documents = [
  { name: 'weather-now', description: 'Forecasts.', tags: ['weather'] },
  { name: 'weather-kalo-123', description: 'Fast RELIABLE forecasts, running daily.', tags: [] },
  {
    name: 'Crypto_Wallet v2.1',
    description: 'Balances of wallets; cached API results!',
    tags: ['t0', 't13'],
  },
  { name: 'x', description: "it's the users' tools (e-mail) 1st and 2nd", tags: ['a-b', 'c'] },
  { name: 'café', description: 'Übersetzung of résumés', tags: ['naïve'] },
  { name: 'emoji 🌤 forecast', description: 'tab\tand\nnewline', tags: [] },
  { name: 'repeat repeat repeat', description: 'repeated repeats', tags: ['repeat'] },
]

test('tokenizes as FTS5 does, from the cache or not', () => {
  for (const fields of documents) {
    expect(cachedFtsDocument(fields)).toEqual(ftsDocument(fields))
    expect(cachedFtsDocument(fields)).toEqual(ftsDocument(fields))
  }
  expect(cachedFtsDocument(documents[0]!)).toMatchInlineSnapshot(`
    {
      "length": 4,
      "terms": Map {
        "weather" => [
          1,
          0,
          1,
        ],
        "now" => [
          1,
          0,
          0,
        ],
        "forecast" => [
          0,
          1,
          0,
        ],
      },
    }
  `)
})
