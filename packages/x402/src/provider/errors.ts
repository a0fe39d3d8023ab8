import { BaseError, type BaseErrorParameters } from '@gotong/core'

/** Codes of {@link X402ProviderError}: an x402 face that cannot be set up as asked. */
export type X402ProviderErrorCode = 'X402_PRICE_INVALID' | 'X402_URL_INVALID'

/**
 * A tool's x402 face refused its configuration (a price of zero, a URL that is not http(s)).
 * Refusals of a request are HTTP answers, never thrown.
 *
 * @example
 * try { createX402Provider({ ...parameters, price: 0n }) } catch (e) {
 *   if (e instanceof X402ProviderError && e.code === 'X402_PRICE_INVALID') console.log(e.shortMessage)
 * }
 */
export class X402ProviderError extends BaseError {
  override name = 'X402ProviderError'
  constructor(code: X402ProviderErrorCode, shortMessage: string, parameters?: BaseErrorParameters) {
    super(code, shortMessage, parameters)
  }
}
