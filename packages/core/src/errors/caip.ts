import { BaseError } from './base.js'

/** A CAIP-2/10/19 identifier that does not parse or is not in canonical (lowercase) form. */
export class InvalidCaipError extends BaseError {
  override name = 'InvalidCaipError'
  constructor(kind: 'CAIP-2' | 'CAIP-10' | 'CAIP-19', value: string, reason: string) {
    super('CAIP_INVALID', `Invalid ${kind} identifier: ${reason}.`, {
      details: JSON.stringify(value),
    })
  }
}
