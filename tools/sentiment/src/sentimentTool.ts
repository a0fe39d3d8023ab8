import { defineTool } from '@gotong/tool'
import { z } from 'zod'
import { analyzeSentiment, SentimentResult } from './analyzeSentiment.js'

/** Input of the sentiment tool. */
export const SentimentInput = z.object({
  texts: z
    .array(z.string().max(20_000))
    .min(1)
    .max(2_000)
    .describe('English texts, scored one by one'),
  threshold: z
    .number()
    .min(0)
    .max(5)
    .optional()
    .describe('Comparative score beyond which a text is positive or negative (default 0.05)'),
})
export type SentimentInput = z.infer<typeof SentimentInput>

/**
 * The sentiment tool: AFINN-165 lexicon sentiment, per text and overall.
 *
 * @example
 * const { toolId } = await agent.serve(sentimentTool, { price: '0.001' })
 * const { output } = await consumer.call(toolId, { texts: ['Great service!', 'Too slow.'] })
 */
export const sentimentTool = defineTool({
  name: 'sentiment',
  description:
    'Lexicon-based sentiment of English texts (AFINN-165, with negation): per text a score, a comparative score (per word) and a label (positive, negative, neutral) with the words that counted; plus totals.',
  tags: ['sentiment', 'text', 'nlp'],
  version: '1.0.0',
  input: SentimentInput,
  output: SentimentResult,
  handler: (input) =>
    analyzeSentiment(
      input.texts,
      input.threshold !== undefined ? { threshold: input.threshold } : {},
    ),
})
