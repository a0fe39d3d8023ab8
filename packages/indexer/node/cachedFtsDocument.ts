import { type FtsDocument, ftsDocument } from '@gotong/directory/node'

/** Words seen so far and their FTS5 token (stemmed, folded); bounded, then started afresh. */
const tokens = new Map<string, string>()
const maxWords = 200_000

const ascii = /^[\x20-\x7e]*$/
/** In ASCII, unicode61 keeps letters and digits and separates on everything else. */
const separators = /[^a-z0-9]+/
const digits = /^[0-9]+$/

/** One word's token, as FTS5 makes it (Porter's stemmer leaves digits alone). */
function tokenOf(word: string): string | undefined {
  if (digits.test(word)) return word
  let token = tokens.get(word)
  if (token === undefined) {
    const terms = [...ftsDocument({ name: word, description: '', tags: [] }).terms.keys()]
    if (terms.length !== 1) return undefined
    token = terms[0]!
    if (tokens.size >= maxWords) tokens.clear()
    tokens.set(word, token)
  }
  return token
}

/** A column's tokens in order, or undefined when only FTS5 itself can say (non-ASCII text). */
function columnTokens(text: string): string[] | undefined {
  if (!ascii.test(text)) return undefined
  const result: string[] = []
  for (const word of text.toLowerCase().split(separators)) {
    if (!word) continue
    const token = tokenOf(word)
    if (token === undefined) return undefined
    result.push(token)
  }
  return result
}

/**
 * `ftsDocument`, answered from a cache of words: the indexer tokenizes a million listings, and
 * FTS5 in memory costs a SQLite insert, read and delete per listing, while their words repeat.
 * ASCII text splits into words exactly as unicode61 splits it, and each word's token does not
 * depend on its neighbours; anything else goes to FTS5 whole.
 *
 * @example cachedFtsDocument({ name: 'weather-now', description: 'Forecasts.', tags: ['weather'] })
 * // { terms: Map { 'weather' => [1, 0, 1], 'now' => [1, 0, 0], 'forecast' => [0, 1, 0] }, length: 4 }
 */
export function cachedFtsDocument(fields: {
  name: string
  description: string
  tags: readonly string[]
}): FtsDocument {
  const columns = [fields.name, fields.description, fields.tags.join(' ')].map(columnTokens)
  if (columns.some((column) => column === undefined)) return ftsDocument(fields)
  const terms: FtsDocument['terms'] = new Map()
  let length = 0
  for (const [i, column] of columns.entries())
    for (const token of column!) {
      const counts = terms.get(token) ?? [0, 0, 0]
      counts[i as 0 | 1 | 2]++
      terms.set(token, counts)
      length++
    }
  return { terms, length }
}
