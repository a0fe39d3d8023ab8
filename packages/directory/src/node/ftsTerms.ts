import Database from 'better-sqlite3'
import { matchWords } from './searchQuery.js'
import { ftsTokenizer } from './store.js'

/** A listing's search text as the SQLite index's FTS5 table tokenizes it. */
export type FtsDocument = {
  /** Each term (stemmed, folded) with its occurrences in the name, description and tags. */
  terms: Map<string, [name: number, description: number, tags: number]>
  /** Tokens in all three columns: BM25's document length. */
  length: number
}

const columns = { name: 0, description: 1, tags: 2 } as const
let tokenizer: { db: Database.Database; run(fields: string[]): { term: string; col: string }[] }

/**
 * FTS5 itself, in memory, with the index's tokenizer: the only way to get exactly its tokens
 * (Porter's stemmer and unicode61's folding have edge cases no port repeats faithfully).
 */
function fts() {
  if (tokenizer) return tokenizer
  const db = new Database(':memory:')
  db.exec(`CREATE VIRTUAL TABLE doc USING fts5(name, description, tags, tokenize = '${ftsTokenizer}');
    CREATE VIRTUAL TABLE doc_terms USING fts5vocab(doc, instance);`)
  const insert = db.prepare('INSERT INTO doc (rowid, name, description, tags) VALUES (1, ?, ?, ?)')
  const read = db.prepare('SELECT term, col FROM doc_terms ORDER BY col, "offset"')
  const remove = db.prepare('DELETE FROM doc WHERE rowid = 1')
  tokenizer = {
    db,
    run: db.transaction((fields: string[]) => {
      insert.run(...fields)
      const rows = read.all() as { term: string; col: string }[]
      remove.run()
      return rows
    }),
  }
  return tokenizer
}

/**
 * Tokenizes a listing's name, description and tags (joined by spaces) exactly as the SQLite
 * index does, so another store can rank with the same BM25.
 *
 * @example ftsDocument({ name: 'weather-now', description: 'Forecasts.', tags: ['weather'] })
 * // { terms: Map { 'weather' => [1, 0, 1], 'now' => [1, 0, 0], 'forecast' => [0, 1, 0] }, length: 4 }
 */
export function ftsDocument(fields: {
  name: string
  description: string
  tags: readonly string[]
}): FtsDocument {
  const rows = fts().run([fields.name, fields.description, fields.tags.join(' ')])
  const terms: FtsDocument['terms'] = new Map()
  for (const { term, col } of rows) {
    const counts = terms.get(term) ?? [0, 0, 0]
    counts[columns[col as keyof typeof columns]]++
    terms.set(term, counts)
  }
  return { terms, length: rows.length }
}

/**
 * The FTS5 phrases of search text (one per word, in order, repeats kept), each as its tokens:
 * what `MATCH` looks for and BM25 sums over.
 *
 * @example ftsPhrases('Weather forecasts') // [['weather'], ['forecast']]
 */
export function ftsPhrases(text: string | undefined): string[][] {
  return matchWords(text).map((word) =>
    fts()
      .run([word, '', ''])
      .map((row) => row.term),
  )
}
