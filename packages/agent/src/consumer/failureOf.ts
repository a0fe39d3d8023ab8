import { BaseError } from '@gotong/core'

/** What a model is told of a failed tool call. */
export type ToolFailure = { error: { code: string; message: string } }

/**
 * Any failure of a tool call, local or remote, as the model reads it: a gotong error's code and
 * short message, or `TOOL_FAILED` with the message of anything else.
 *
 * @example JSON.stringify(failureOf(error)) // '{"error":{"code":"BUDGET_EXCEEDED","message":"…"}}'
 */
export function failureOf(error: unknown): ToolFailure {
  if (error instanceof BaseError)
    return { error: { code: error.code, message: error.shortMessage } }
  const message = error instanceof Error ? error.message : String(error)
  return { error: { code: 'TOOL_FAILED', message } }
}
