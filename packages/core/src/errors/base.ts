/** Parameters shared by every gotong error. */
export type BaseErrorParameters = {
  /** Underlying error, kept for `walk()` and stack traces. */
  cause?: unknown
  /** Longer explanation: the offending value, what was expected. */
  details?: string | undefined
  /** Extra lines shown under the message: context, next steps. */
  metaMessages?: readonly string[] | undefined
}

/**
 * The root of every gotong error. `code` is a stable string a program can switch on;
 * `shortMessage` is one human sentence; `message` adds details and meta lines.
 *
 * @example
 * try { parseAmount('1.2345678', 6) } catch (e) {
 *   if (e instanceof BaseError && e.code === 'AMOUNT_INVALID') console.error(e.shortMessage)
 * }
 */
export class BaseError extends Error {
  /** Stable machine-readable identifier of the failure kind. */
  readonly code: string
  readonly shortMessage: string
  readonly details: string | undefined
  readonly metaMessages: readonly string[] | undefined
  override name = 'GotongError'

  constructor(code: string, shortMessage: string, parameters: BaseErrorParameters = {}) {
    const details =
      parameters.details ??
      (parameters.cause instanceof BaseError
        ? parameters.cause.details
        : parameters.cause instanceof Error
          ? parameters.cause.message
          : undefined)
    const message = [
      shortMessage,
      ...(parameters.metaMessages?.length ? ['', ...parameters.metaMessages] : []),
      ...(details ? ['', `Details: ${details}`] : []),
    ].join('\n')
    super(message, parameters.cause === undefined ? undefined : { cause: parameters.cause })
    this.code = code
    this.shortMessage = shortMessage
    this.details = details
    this.metaMessages = parameters.metaMessages
  }

  /**
   * Follows the `cause` chain. Without a predicate returns the innermost error; with one,
   * the first error (starting with this one) for which it returns true, or null.
   */
  walk(predicate?: (error: unknown) => boolean): unknown {
    return walk(this, predicate)
  }
}

function walk(error: unknown, predicate?: (error: unknown) => boolean): unknown {
  let current: unknown = error
  for (let depth = 0; depth < 64; depth++) {
    if (predicate?.(current)) return current
    const next = current instanceof Error ? current.cause : undefined
    if (next === undefined) return predicate ? null : current
    current = next
  }
  return predicate ? null : current
}
