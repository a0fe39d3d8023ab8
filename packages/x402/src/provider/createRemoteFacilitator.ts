import { type FacilitatorClient, HTTPFacilitatorClient } from '@x402/core/server'

/**
 * An x402 facilitator service by URL (`/verify`, `/settle`, `/supported`), through x402's own
 * `HTTPFacilitatorClient`: it verifies payments and settles them, paying the gas.
 *
 * @example const facilitator = createRemoteFacilitator('https://facilitator.example.com')
 */
export function createRemoteFacilitator(
  url: string,
  options: { timeoutMs?: number } = {},
): FacilitatorClient {
  return new HTTPFacilitatorClient({
    url: url.replace(/\/+$/, ''),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  })
}
