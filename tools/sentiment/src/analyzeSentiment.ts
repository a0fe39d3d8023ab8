import Sentiment from 'sentiment'
import { z } from 'zod'

/** The sentiment of one text. */
export const TextSentiment = z.object({
  /** Position of the text in the input. */
  index: z.number().int(),
  /** Sum of the AFINN-165 valences (−5…5) of its words, negations flipped. */
  score: z.number(),
  /** `score` divided by the number of words: comparable across lengths. */
  comparative: z.number(),
  label: z.enum(['positive', 'negative', 'neutral']),
  positive: z.array(z.string()),
  negative: z.array(z.string()),
})
export type TextSentiment = z.infer<typeof TextSentiment>

/** Sentiment of each text and of all of them. */
export const SentimentResult = z.object({
  lexicon: z.literal('AFINN-165'),
  results: z.array(TextSentiment),
  summary: z.object({
    count: z.number().int(),
    positive: z.number().int(),
    negative: z.number().int(),
    neutral: z.number().int(),
    meanScore: z.number(),
    meanComparative: z.number(),
  }),
})
export type SentimentResult = z.infer<typeof SentimentResult>

export type AnalyzeSentimentOptions = {
  /** `comparative` above this is positive, below its negative is negative (default 0.05). */
  threshold?: number
}

const analyzer = new Sentiment()

/**
 * Lexicon-based sentiment of English texts with the `sentiment` package (AFINN-165 word
 * valences, with negation: "not good" counts against). Deterministic: no model, no network.
 *
 * @example
 * analyzeSentiment(['I love this tool', 'This is not good'])
 * // results[0]: { score: 3, comparative: 0.75, label: 'positive', … }; results[1].label: 'negative'
 */
export function analyzeSentiment(
  texts: readonly string[],
  options: AnalyzeSentimentOptions = {},
): SentimentResult {
  const threshold = options.threshold ?? 0.05
  const results = texts.map((text, index): TextSentiment => {
    const { score, comparative, positive, negative } = analyzer.analyze(text)
    const label =
      comparative > threshold ? 'positive' : comparative < -threshold ? 'negative' : 'neutral'
    return { index, score, comparative, label, positive, negative }
  })
  const count = results.length
  const tally = (label: TextSentiment['label']) => results.filter((r) => r.label === label).length
  const mean = (pick: (r: TextSentiment) => number) =>
    count ? results.reduce((sum, r) => sum + pick(r), 0) / count : 0
  return {
    lexicon: 'AFINN-165',
    results,
    summary: {
      count,
      positive: tally('positive'),
      negative: tally('negative'),
      neutral: tally('neutral'),
      meanScore: mean((r) => r.score),
      meanComparative: mean((r) => r.comparative),
    },
  }
}
