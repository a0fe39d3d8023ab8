import { EVM_NETWORK_CHAIN_ID_MAP } from '@x402/evm/v1'
import { payX402 } from './payX402.js'
import type { X402Payer, X402PayerParameters } from './types.js'

/**
 * A payer of x402 endpoints: x402's own client pays (`exact`, EIP-3009, v1 and v2) and gotong's
 * policy decides first: only offers in the assets it can price, at most `maxPrice`, within every
 * budget (the payer's and the request's, payee allowlists included), each payment recorded in
 * the ledger before its authorization is signed and settled or failed after.
 *
 * @example
 * const payer = createX402Payer({ account, chainId: 31337, assets: [gUSD], publicClient, ledger, budgets: [agentBudget] })
 * const { body, payment } = await payer.pay({ url, body: JSON.stringify({ city: 'Jakarta' }), maxPrice: 2_000n })
 */
export function createX402Payer(parameters: X402PayerParameters): X402Payer {
  // x402's v1 networks are names; those of this chain are paid as its CAIP-2 id.
  const known = Object.entries(EVM_NETWORK_CHAIN_ID_MAP)
    .filter(([, chainId]) => chainId === parameters.chainId)
    .map(([name]) => name)
  const resolved = {
    ...parameters,
    v1Networks: [...new Set([...known, ...(parameters.v1Networks ?? [])])],
  }
  return {
    address: parameters.account.address,
    pay: (request) => payX402(resolved, request),
  }
}
