import { isContentWord, splitSentences, tokenize } from '@gotong/tool-keywords'
import { z } from 'zod'

/** A summary, saying how it was made. */
export const Summary = z.object({
  summary: z.string(),
  /** `llm` when a language model wrote it, `extractive` when sentences were picked from the text. */
  method: z.enum(['llm', 'extractive']),
  /** Sentences in the text. */
  sentenceCount: z.number().int(),
  /** Positions of the sentences picked (extractive). */
  sentences: z.array(z.number().int()).optional(),
  /** The model that wrote it (llm). */
  model: z.string().optional(),
  /** True when a model was configured but failed, so the summary is extractive. */
  fallback: z.boolean().optional(),
})
export type Summary = z.infer<typeof Summary>

export type SummarizeExtractiveOptions = {
  /** Sentences to keep (default 3). */
  maxSentences?: number
  /** Words to favour: sentences using them score higher. */
  focus?: string
}

/** Sentences with fewer content words are scored as if they had this many, so fragments don't win. */
const minWords = 4

/**
 * Extractive summary by word frequency (Luhn-style): each content word (not a stopword or a
 * number) weighs its frequency divided by the top frequency, plus 1 if it is a focus word; a
 * sentence scores the sum over its content words divided by their count (at least four). The
 * best sentences are returned in their original order. Ties go to the earlier sentence. A
 * sentence repeated in the text (the same words, whatever the case and punctuation) is picked
 * once at most: a summary never says the same thing twice.
 *
 * @example
 * summarizeExtractive(reviews, { maxSentences: 2 })
 * // { summary: 'Battery life is great. …', method: 'extractive', sentences: [0, 4], sentenceCount: 12 }
 */
export function summarizeExtractive(
  text: string,
  options: SummarizeExtractiveOptions = {},
): Summary {
  const sentences = splitSentences(text)
  const words = sentences.map((sentence) => tokenize(sentence).filter((w) => isContentWord(w)))
  const frequency = new Map<string, number>()
  for (const list of words)
    for (const word of list) frequency.set(word, (frequency.get(word) ?? 0) + 1)
  let top = 1
  for (const count of frequency.values()) if (count > top) top = count
  const focus = new Set(tokenize(options.focus ?? '').filter((w) => isContentWord(w)))
  const scored = words.map((list, index) => ({
    index,
    score:
      list.reduce((sum, word) => sum + frequency.get(word)! / top + (focus.has(word) ? 1 : 0), 0) /
      Math.max(list.length, minWords),
  }))
  const said = new Set<string>()
  const picked = scored
    .filter((s) => words[s.index]!.length > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .filter((s) => {
      const same = tokenize(sentences[s.index]!).join(' ')
      if (said.has(same)) return false
      said.add(same)
      return true
    })
    .slice(0, options.maxSentences ?? 3)
    .map((s) => s.index)
    .sort((a, b) => a - b)
  return {
    summary: picked.map((i) => sentences[i]).join(' '),
    method: 'extractive',
    sentenceCount: sentences.length,
    sentences: picked,
  }
}
