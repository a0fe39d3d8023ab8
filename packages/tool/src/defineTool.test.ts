import { describe, expect, expectTypeOf, test } from 'vitest'
import { z } from 'zod'
import { defineTool, type Tool, type ToolContext } from './index.js'

const context: ToolContext = {
  caller: '0x0000000000000000000000000000000000000001',
  termsHash: `0x${'00'.repeat(32)}`,
  signal: new AbortController().signal,
}

const wordCount = defineTool({
  name: 'word-count',
  description: 'Counts the words of a text.',
  input: z.object({ text: z.string(), minLength: z.number().int().default(1) }),
  output: z.object({ words: z.number().int() }),
  handler: ({ text, minLength }) => ({
    words: text.split(/\s+/).filter((word) => word.length >= minLength).length,
  }),
})

describe('defineTool', () => {
  test('tags default to none and version to 1.0.0', () => {
    expect({ tags: wordCount.tags, version: wordCount.version }).toEqual({
      tags: [],
      version: '1.0.0',
    })
  })

  test('the model behind a tool is kept as given; a tool without one has none', () => {
    const model = { provider: 'openai', id: 'gpt-4o-mini', version: '2024-07-18' }
    expect(defineTool({ ...wordCount, model }).model).toEqual(model)
    expect('model' in wordCount).toBe(false)
  })

  test('given tags and version are kept', () => {
    const tagged = defineTool({
      ...wordCount,
      tags: ['text', 'word-count'],
      version: '2.1.0',
    })
    expect({ tags: tagged.tags, version: tagged.version }).toEqual({
      tags: ['text', 'word-count'],
      version: '2.1.0',
    })
  })

  test('JSON Schemas and manifest extensions given are kept; none are made up', () => {
    const inputs = { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] }
    const described = defineTool({
      ...wordCount,
      jsonSchema: { input: inputs },
      extensions: { 'dev.example.origin': { source: 'mcp' } },
    })
    expect([described.jsonSchema, described.extensions]).toEqual([
      { input: inputs },
      { 'dev.example.origin': { source: 'mcp' } },
    ])
    expect(['jsonSchema' in wordCount, 'extensions' in wordCount]).toEqual([false, false])
  })

  test('the handler runs on parsed input, and its result parses as output', async () => {
    const input = wordCount.input.parse({ text: 'many hands doing one job' })
    expect(wordCount.output.parse(await wordCount.handler(input, context))).toEqual({ words: 5 })
  })

  test('keeps the literal name, so tools can be told apart by type', () => {
    expectTypeOf(wordCount.name).toEqualTypeOf<'word-count'>()
    expectTypeOf(wordCount).toExtend<Tool>()
  })

  test("the handler's argument is the parsed input; its result what the output accepts", () => {
    // `z.output`: a field with a default is present by the time the handler sees it.
    expectTypeOf(wordCount.handler)
      .parameter(0)
      .toEqualTypeOf<{ text: string; minLength: number }>()
    expectTypeOf(wordCount.handler).parameter(1).toEqualTypeOf<ToolContext>()
    expectTypeOf(wordCount.handler).returns.toEqualTypeOf<
      Promise<{ words: number }> | { words: number }
    >()
  })
})
