import { BaseError, type BaseErrorParameters } from '@gotong/core'

/** Codes of {@link SummarizeError}. */
export type SummarizeErrorCode = 'MODEL_FAILED'

/**
 * The configured model failed or said nothing, and the tool was made with `fallback: false`.
 *
 * @example
 * const tool = createSummarizeTool({ llm, fallback: false }) // a failing model fails the call
 */
export class SummarizeError extends BaseError {
  override name = 'SummarizeError'
  declare readonly code: SummarizeErrorCode
  constructor(
    code: SummarizeErrorCode,
    shortMessage: string,
    parameters: BaseErrorParameters = {},
  ) {
    super(code, shortMessage, parameters)
  }
}
