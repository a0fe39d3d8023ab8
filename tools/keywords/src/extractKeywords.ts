import { z } from 'zod'
import { englishStopwords, isContentWord, splitSentences, tokenize } from './text.js'

/** One keyword or key phrase, with its score under the method used and its occurrences. */
export const Keyword = z.object({ term: z.string(), score: z.number(), count: z.number().int() })
export type Keyword = z.infer<typeof Keyword>

/** Keywords of a text, best first. */
export const KeywordsResult = z.object({
  method: z.enum(['rake', 'tfidf']),
  keywords: z.array(Keyword),
  sentences: z.number().int(),
  words: z.number().int(),
})
export type KeywordsResult = z.infer<typeof KeywordsResult>

export type ExtractKeywordsOptions = {
  /** `rake` (key phrases, default) or `tfidf` (single words, sentences as documents). */
  method?: 'rake' | 'tfidf'
  /** Keywords to return (default 10). */
  limit?: number
  /** Longest phrase RAKE keeps, in words (default 3). */
  maxWords?: number
  stopwords?: ReadonlySet<string>
}

/**
 * Extracts keywords. RAKE (Rose et al., 2010) splits sentences into candidate phrases at
 * stopwords and punctuation and scores each word by degree ÷ frequency; a phrase scores the sum
 * of its words. TF-IDF treats each sentence as a document: term count × (ln((1 + N) ÷ (1 + df)) + 1).
 * Ties go to the more frequent term, then alphabetical order, so results are deterministic.
 *
 * @example
 * extractKeywords('Agents open payment channels. Payment channels settle on chain.')
 * // keywords: [{ term: 'payment channels settle', score: 10, count: 1 }, { term: 'chain', score: 1, count: 1 }]
 * // ('agents open payment channels' has four words, one more than maxWords)
 */
export function extractKeywords(
  text: string,
  options: ExtractKeywordsOptions = {},
): KeywordsResult {
  const method = options.method ?? 'rake'
  const stopwords = options.stopwords ?? englishStopwords
  const sentences = splitSentences(text)
  const words = sentences.reduce((n, sentence) => n + tokenize(sentence).length, 0)
  const scored =
    method === 'rake'
      ? rake(sentences, stopwords, options.maxWords ?? 3)
      : tfidf(sentences, stopwords)
  const keywords = scored
    .sort((a, b) => b.score - a.score || b.count - a.count || compare(a.term, b.term))
    .slice(0, options.limit ?? 10)
  return { method, keywords, sentences: sentences.length, words }
}

function rake(sentences: string[], stopwords: ReadonlySet<string>, maxWords: number): Keyword[] {
  const phrases: string[][] = []
  for (const sentence of sentences)
    for (const fragment of sentence.split(/[,;:()[\]{}"“”«»!?.…–—/|]+/u)) {
      let phrase: string[] = []
      for (const word of tokenize(fragment)) {
        if (isContentWord(word, stopwords)) phrase.push(word)
        else if (phrase.length) {
          phrases.push(phrase)
          phrase = []
        }
      }
      if (phrase.length) phrases.push(phrase)
    }
  const frequency = new Map<string, number>()
  const degree = new Map<string, number>()
  for (const phrase of phrases)
    for (const word of phrase) {
      frequency.set(word, (frequency.get(word) ?? 0) + 1)
      degree.set(word, (degree.get(word) ?? 0) + phrase.length)
    }
  const candidates = new Map<string, Keyword>()
  for (const phrase of phrases) {
    if (phrase.length > maxWords) continue
    const term = phrase.join(' ')
    const seen = candidates.get(term)
    if (seen) {
      seen.count++
      continue
    }
    const score = phrase.reduce((sum, word) => sum + degree.get(word)! / frequency.get(word)!, 0)
    candidates.set(term, { term, score, count: 1 })
  }
  return [...candidates.values()]
}

function tfidf(sentences: string[], stopwords: ReadonlySet<string>): Keyword[] {
  const counts = new Map<string, number>()
  const documents = new Map<string, number>()
  for (const sentence of sentences) {
    const words = tokenize(sentence).filter((word) => isContentWord(word, stopwords))
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1)
    for (const word of new Set(words)) documents.set(word, (documents.get(word) ?? 0) + 1)
  }
  const n = sentences.length
  return [...counts].map(([term, count]) => ({
    term,
    count,
    score: count * (Math.log((1 + n) / (1 + documents.get(term)!)) + 1),
  }))
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
