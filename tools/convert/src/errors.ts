import { BaseError, type BaseErrorParameters } from '@gotong/core'

/** Codes of {@link ConversionError}. */
export type ConversionErrorCode = 'UNKNOWN_UNIT' | 'INCOMPATIBLE_UNITS' | 'BELOW_ABSOLUTE_ZERO'

/**
 * A conversion that cannot be made: a unit not in the tables, units of different kinds
 * (metres to kilograms), a temperature below absolute zero.
 *
 * @example
 * try { convert(1, 'furlong', 'm') } catch (e) {
 *   if (e instanceof ConversionError && e.code === 'UNKNOWN_UNIT') console.error(e.shortMessage)
 * }
 */
export class ConversionError extends BaseError {
  override name = 'ConversionError'
  declare readonly code: ConversionErrorCode
  constructor(
    code: ConversionErrorCode,
    shortMessage: string,
    parameters: BaseErrorParameters = {},
  ) {
    super(code, shortMessage, parameters)
  }
}
