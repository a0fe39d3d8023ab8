import { z } from 'zod'
import { Agreement } from '../eip712/types.js'
import { Bytes32, Signature } from '../utils/scalars.js'

/**
 * The consumer accepts a proposal: the Agreement built from it, and the consumer's EIP-712
 * signature over it. The provider checks every field against its offer before countersigning.
 */
export const Accept = z.strictObject({
  type: z.literal('accept'),
  cfpId: Bytes32,
  proposalId: Bytes32,
  agreement: Agreement,
  signature: Signature,
})
export type Accept = z.output<typeof Accept>

/**
 * The provider's answer to an Accept: its own signature over the same Agreement, whose
 * EIP-712 hash is `termsHash`.
 */
export const Countersignature = z.strictObject({
  type: z.literal('countersign'),
  cfpId: Bytes32,
  proposalId: Bytes32,
  termsHash: Bytes32,
  signature: Signature,
})
export type Countersignature = z.output<typeof Countersignature>
