import type { z } from 'zod'

/** One reason an input was refused, as a refusal carries it: zod's issue code is the rule. */
export type InputIssue = { rule: string; path: string; message: string }

/**
 * The issues of an input a tool's schema refused, in the shape every `INPUT_INVALID` carries on
 * the wire (`data.issues`), whichever face (HTTP, x402) refused it.
 *
 * @example inputIssues(tool.input.safeParse(input).error!) // [{ rule: 'invalid_type', path: 'csv', … }]
 */
export function inputIssues(error: z.ZodError): InputIssue[] {
  return error.issues.map((i) => ({ rule: i.code, path: i.path.join('.'), message: i.message }))
}
