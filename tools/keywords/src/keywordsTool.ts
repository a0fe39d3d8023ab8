import { defineTool } from '@gotong/tool'
import { z } from 'zod'
import { extractKeywords, KeywordsResult } from './extractKeywords.js'

/** Input of the keywords tool. */
export const KeywordsInput = z.object({
  text: z.string().min(1).max(500_000).describe('The text to find keywords in'),
  method: z
    .enum(['rake', 'tfidf'])
    .optional()
    .describe('rake: key phrases (default); tfidf: single words, sentences as documents'),
  limit: z.number().int().min(1).max(50).optional().describe('Keywords to return (default 10)'),
})
export type KeywordsInput = z.infer<typeof KeywordsInput>

/**
 * The keywords tool: RAKE key phrases or TF-IDF words of an English text.
 *
 * @example
 * const { toolId } = await agent.serve(keywordsTool, { price: '0.001' })
 * const { output } = await consumer.call(toolId, { text: reviews, limit: 5 })
 */
export const keywordsTool = defineTool({
  name: 'keywords',
  description:
    'Extracts keywords from English text: RAKE key phrases (default) or TF-IDF single words with sentences as documents, with a stopword list. Returns terms with scores and counts, best first.',
  tags: ['keywords', 'text', 'nlp'],
  version: '1.0.0',
  input: KeywordsInput,
  output: KeywordsResult,
  handler: (input) =>
    extractKeywords(input.text, {
      ...(input.method ? { method: input.method } : {}),
      ...(input.limit ? { limit: input.limit } : {}),
    }),
})
