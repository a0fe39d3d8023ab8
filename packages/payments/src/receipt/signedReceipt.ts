import { Receipt, Signature } from '@gotong/core'
import { z } from 'zod'

/** A receipt with the payee's signature, as returned with a paid call's result. */
export const SignedReceipt = z.strictObject({ receipt: Receipt, signature: Signature })
export type SignedReceipt = z.output<typeof SignedReceipt>
