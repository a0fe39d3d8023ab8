import { AddressSchema, Bytes32, HexBytes, Uint256 } from '@gotong/core'
import { recoverSignerLowercase } from '@gotong/payments'
import type { PaymentRequirements } from '@x402/core/types'
import { authorizationTypes } from '@x402/evm'
import { type Address, hashTypedData, hexToBytes } from 'viem'
import { z } from 'zod'

/** The `payload` of an x402 `exact` EVM payment by EIP-3009: an authorization and its signature. */
export const Eip3009Payload = z.object({
  signature: HexBytes,
  authorization: z.object({
    from: AddressSchema,
    to: AddressSchema,
    value: Uint256,
    validAfter: Uint256,
    validBefore: Uint256,
    nonce: Bytes32,
  }),
})
export type Eip3009Payload = z.output<typeof Eip3009Payload>

/**
 * Whether `from` itself signed this authorization for the token, chain and domain the payment
 * names (ECDSA only): a refusal is kept in the payer's name only when the payer made it.
 */
export function signedByPayer(payload: Eip3009Payload, accepted: PaymentRequirements): boolean {
  const { name, version } = accepted.extra
  const chainId = Number(accepted.network.split(':')[1])
  if (typeof name !== 'string' || typeof version !== 'string' || !Number.isSafeInteger(chainId))
    return false
  try {
    const digest = hashTypedData({
      domain: { name, version, chainId, verifyingContract: accepted.asset as Address },
      types: authorizationTypes,
      primaryType: 'TransferWithAuthorization',
      message: payload.authorization,
    })
    return (
      recoverSignerLowercase(hexToBytes(digest), payload.signature) ===
      payload.authorization.from.toLowerCase()
    )
  } catch {
    return false
  }
}
