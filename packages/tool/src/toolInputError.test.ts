import { describe, expect, test } from 'vitest'
import { isToolInputError, ToolInputError } from './index.js'

describe('ToolInputError', () => {
  test('carries INPUT_INVALID, the tool’s own reason and the cause', () => {
    const cause = new SyntaxError('quote not closed at line 3')
    const error = new ToolInputError('The CSV does not parse.', { reason: 'CSV_INVALID', cause })
    expect([error.code, error.reason, error.message, error.cause]).toEqual([
      'INPUT_INVALID',
      'CSV_INVALID',
      'The CSV does not parse.',
      cause,
    ])
    expect(isToolInputError(error)).toBe(true)
  })

  test('is recognised across copies of the package, and nothing else is', () => {
    const elsewhere = Object.assign(new Error('bad unit'), {
      name: 'ToolInputError',
      code: 'INPUT_INVALID',
    })
    expect(isToolInputError(elsewhere)).toBe(true)
    expect(isToolInputError(new Error('boom'))).toBe(false)
    expect(isToolInputError(Object.assign(new Error('x'), { code: 'INPUT_INVALID' }))).toBe(false)
  })
})
