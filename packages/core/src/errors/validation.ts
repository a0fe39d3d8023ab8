import type { z } from 'zod'
import { BaseError } from './base.js'

/** One reason an input was rejected, with a stable `rule` code and a JSON path. */
export type ValidationIssue = {
  /** Stable snake_case code of the violated rule (e.g. `not_nfc`, `uppercase_hex`). */
  rule: string
  /** Where in the input: `pricing.0.amount`, or `` for the whole value. */
  path: string
  message: string
}

/**
 * Any outside input (a message, a manifest, a CLI flag) that failed its schema.
 * `issues` lists every violated rule with its stable code.
 */
export class InvalidInputError extends BaseError {
  override name = 'InvalidInputError'
  readonly issues: readonly ValidationIssue[]

  constructor(what: string, issues: readonly ValidationIssue[], code = 'INVALID_INPUT') {
    const first = issues[0]
    super(code, `Invalid ${what}${first ? `: ${formatIssue(first)}` : '.'}`, {
      metaMessages: issues.length > 1 ? issues.slice(1).map(formatIssue) : undefined,
    })
    this.issues = issues
  }

  /** The rule codes of all issues, in order: handy for tests and for switching. */
  get rules(): string[] {
    return this.issues.map((issue) => issue.rule)
  }
}

/** A tool manifest that is not a valid ERC-8257 v1 manifest (or gotong manifest). */
export class InvalidManifestError extends InvalidInputError {
  override name = 'InvalidManifestError'
  constructor(issues: readonly ValidationIssue[]) {
    super('tool manifest', issues, 'MANIFEST_INVALID')
  }
}

function formatIssue(issue: ValidationIssue): string {
  return `${issue.path ? `${issue.path}: ` : ''}${issue.message} [${issue.rule}]`
}

/** Turns zod issues into gotong issues: custom checks carry `params.rule`, the rest are mapped. */
export function toValidationIssues(
  issues: readonly z.core.$ZodIssue[],
  input?: unknown,
): ValidationIssue[] {
  return issues.map((issue) => ({
    rule: ruleOf(issue, input),
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }))
}

function ruleOf(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'custom') {
    const rule = (issue.params as { rule?: unknown } | undefined)?.rule
    return typeof rule === 'string' ? rule : 'invalid'
  }
  if (issue.code === 'invalid_type')
    return valueAt(input, issue.path) === undefined ? 'required' : 'invalid_type'
  if (issue.code === 'unrecognized_keys') return 'unknown_field'
  if (issue.code === 'invalid_value') return 'invalid_value'
  if (issue.code === 'too_big') return 'too_long'
  if (issue.code === 'too_small') return 'too_short'
  if (issue.code === 'invalid_format') return 'invalid_format'
  if (issue.code === 'invalid_union') return 'invalid_value'
  return issue.code
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<PropertyKey, unknown>)[key]
  }
  return node
}

/**
 * Parses `value` with `schema`, or throws an InvalidInputError listing every violated rule.
 *
 * @example const card = parseWith(AgentCard, json, 'agent card')
 */
export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
): z.output<T> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  throw new InvalidInputError(what, toValidationIssues(result.error.issues, value))
}
