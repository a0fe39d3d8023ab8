/**
 * Thrown by a handler for input that matches the tool's schema but that the tool cannot use
 * (a CSV that does not parse, a unit it does not know). The caller gets `INPUT_INVALID` with
 * this message, and is not charged; any other error a handler throws is `HANDLER_FAILED`.
 *
 * @example
 * handler: ({ csv }) => {
 *   const rows = tryParse(csv)
 *   if (!rows.ok) throw new ToolInputError(`The CSV does not parse: ${rows.reason}`, { reason: 'CSV_INVALID' })
 *   return profile(rows.value)
 * }
 */
export class ToolInputError extends Error {
  override name = 'ToolInputError'
  /** Always `INPUT_INVALID`: what the caller's refusal carries. */
  readonly code = 'INPUT_INVALID' as const
  /** The tool's own finer code for what was wrong (`CSV_INVALID`), if it has one. */
  readonly reason: string | undefined
  constructor(message: string, options: { reason?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.reason = options.reason
  }
}

/** True for a `ToolInputError`, from this copy of the package or another. */
export function isToolInputError(error: unknown): error is ToolInputError {
  return (
    error instanceof ToolInputError ||
    (error instanceof Error &&
      error.name === 'ToolInputError' &&
      (error as { code?: unknown }).code === 'INPUT_INVALID')
  )
}
