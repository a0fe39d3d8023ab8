import type { PaymentRequirements, SchemeNetworkClient } from '@x402/core/types'

/**
 * x402 v1's `exact` on an EVM chain, through x402's v2 exact client: v1 names its networks
 * (`base-sepolia`) from a closed list that has no devnet, so the v1 offer is signed as the same
 * EIP-3009 authorization under the chain's CAIP-2 id, and sent back in v1's payload shape
 * (`scheme`, `network`, `payload`), which the `X-PAYMENT` header carries.
 */
export function exactV1Scheme(v2: SchemeNetworkClient, chainId: number): SchemeNetworkClient {
  return {
    scheme: 'exact',
    async createPaymentPayload(x402Version, requirements, context) {
      const v1 = requirements as PaymentRequirements & { maxAmountRequired?: string }
      const { payload } = await v2.createPaymentPayload(
        x402Version,
        {
          ...requirements,
          network: `eip155:${chainId}`,
          amount: v1.maxAmountRequired ?? requirements.amount,
        },
        context,
      )
      return { x402Version, scheme: 'exact', network: requirements.network, payload } as never
    },
  }
}
