import { z } from 'zod'
import { Agreement } from '../eip712/types.js'
import { AddressSchema, Bytes32, Signature } from '../utils/scalars.js'

/**
 * An Agreement signed by both sides under `gotongDomain({ chainId, verifyingContract })`:
 * the consumer signed first, the provider countersigned. `termsHash` is `hashAgreement`, the
 * value every voucher and receipt of the relationship carries.
 */
export const SignedAgreement = z.strictObject({
  agreement: Agreement,
  chainId: z.number().int().min(1),
  verifyingContract: AddressSchema,
  termsHash: Bytes32,
  consumerSignature: Signature,
  providerSignature: Signature,
})
export type SignedAgreement = z.output<typeof SignedAgreement>
