import { BaseError, type BaseErrorParameters } from '@gotong/core'

/** Codes of {@link A2aError}. */
export type A2aErrorCode =
  /** The agent card has no gotong payments extension, or it does not parse. */
  | 'A2A_EXTENSION_MISSING'
  /** An A2A answer that is not a task or message this extension defines. */
  | 'A2A_ANSWER_INVALID'

/**
 * A gotong A2A exchange that cannot go on: a card without gotong's terms, an answer that does
 * not say what a paid call's answer says.
 *
 * @example
 * try { readGotongPayments(card) } catch (e) {
 *   if (e instanceof A2aError && e.code === 'A2A_EXTENSION_MISSING') console.log('not a gotong agent')
 * }
 */
export class A2aError extends BaseError {
  override name = 'A2aError'
  declare readonly code: A2aErrorCode
  constructor(code: A2aErrorCode, shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(code, shortMessage, parameters)
  }
}
