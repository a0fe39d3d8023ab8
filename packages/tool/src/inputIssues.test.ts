import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { inputIssues } from './inputIssues.js'

describe('inputIssues', () => {
  test("each refusal names zod's rule, the dotted path and the message", () => {
    const schema = z.object({ rows: z.array(z.object({ n: z.number() })), name: z.string() })
    const parsed = schema.safeParse({ rows: [{ n: 'one' }] })
    expect(inputIssues(parsed.error!)).toEqual([
      { rule: 'invalid_type', path: 'rows.0.n', message: expect.stringContaining('number') },
      { rule: 'invalid_type', path: 'name', message: expect.stringContaining('string') },
    ])
  })
})
