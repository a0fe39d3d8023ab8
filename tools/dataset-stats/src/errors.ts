import { BaseError, type BaseErrorParameters } from '@gotong/core'

/** Codes of {@link DatasetError}. */
export type DatasetErrorCode = 'CSV_INVALID' | 'DATASET_EMPTY' | 'DATASET_TOO_WIDE'

/**
 * A dataset that cannot be profiled: CSV that does not parse, no rows, too many columns.
 *
 * @example
 * try { parseCsv('a,b\n1,2,3') } catch (e) {
 *   if (e instanceof DatasetError && e.code === 'CSV_INVALID') console.error(e.shortMessage)
 * }
 */
export class DatasetError extends BaseError {
  override name = 'DatasetError'
  declare readonly code: DatasetErrorCode
  constructor(code: DatasetErrorCode, shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(code, shortMessage, parameters)
  }
}
