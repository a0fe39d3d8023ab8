import { decodePaymentSignatureHeader } from '@x402/core/http'
import type { PaymentPayload } from '@x402/core/types'
import type { Address, Hex } from 'viem'
import type { X402Ledger } from '../ledger/types.js'
import { Eip3009Payload, signedByPayer } from './eip3009Payload.js'

/**
 * Keeps a refused payment in the provider's ledger, as `failed` with x402's reason, when its
 * payer did sign it: that authorization is then spent here too, and the ledger says why it was
 * turned away. A header that does not decode, or an authorization `from` did not sign, is not
 * kept (anyone could write one in another's name). Returns who and which nonce, if kept.
 */
export function keepRefusal(parameters: {
  ledger: X402Ledger
  header: string
  reason: string
  resource: string
  tool: string
  now: number
}): { payer: Address; authorizationNonce: Hex } | undefined {
  let payment: PaymentPayload
  try {
    payment = decodePaymentSignatureHeader(parameters.header)
  } catch {
    return undefined
  }
  const payload = Eip3009Payload.safeParse(payment.payload)
  if (!payload.success || !payment.accepted || !signedByPayer(payload.data, payment.accepted))
    return undefined
  const { from, to, value, nonce } = payload.data.authorization
  const key = { direction: 'earned', payer: from, authorizationNonce: nonce } as const
  const kept = parameters.ledger.reserve({
    ...key,
    payee: to,
    network: payment.accepted.network,
    asset: payment.accepted.asset as Address,
    amount: value,
    resource: parameters.resource,
    tool: parameters.tool,
    requestHash: undefined,
    createdAt: parameters.now,
  })
  if (!kept) return undefined
  parameters.ledger.fail(key, `PAYMENT_INVALID: ${parameters.reason}`)
  return { payer: from, authorizationNonce: nonce }
}
