import { BaseError, type BaseErrorParameters } from '@gotong/core'

/** Codes of {@link DedupeError}. */
export type DedupeErrorCode = 'FIELDS_NEED_OBJECTS'

/**
 * Records that cannot be compared as asked: `fields` given for records that are not objects.
 *
 * @example
 * try { dedupeRecords([1, 2], { fields: ['id'] }) } catch (e) {
 *   if (e instanceof DedupeError) console.error(e.code) // 'FIELDS_NEED_OBJECTS'
 * }
 */
export class DedupeError extends BaseError {
  override name = 'DedupeError'
  declare readonly code: DedupeErrorCode
  constructor(code: DedupeErrorCode, shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(code, shortMessage, parameters)
  }
}
