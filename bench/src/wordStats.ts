import { defineTool } from '@gotong/agent'
import { z } from 'zod'

/** The tool the paid-call figures serve: small, so they are about the call, not the work. */
export const wordStats = defineTool({
  name: 'word-stats',
  description: 'Counts the words and characters of a text and finds its longest word.',
  tags: ['text', 'statistics'],
  input: z.object({ text: z.string().max(10_000) }),
  output: z.object({ words: z.number().int(), characters: z.number().int(), longest: z.string() }),
  handler: ({ text }) => {
    const words = text.split(/\s+/).filter(Boolean)
    return {
      words: words.length,
      characters: text.length,
      longest: words.reduce((a, b) => (b.length > a.length ? b : a), ''),
    }
  },
})
