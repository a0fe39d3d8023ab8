import { Bytes32 } from '@gotong/core'
import { z } from 'zod'
import { ToolIdString } from './gotongPayments.js'

/**
 * The data part of an A2A message that calls a tool: the tool, its input, and, to be served, the
 * terms it is paid under and the payment exactly as a gotong `call` carries it (a voucher on a
 * channel bound to those terms).
 */
export const A2aToolCall = z
  .strictObject({
    toolId: ToolIdString,
    input: z.unknown(),
    termsHash: Bytes32.optional(),
    payment: z.unknown().optional(),
  })
  .refine((call) => call.payment === undefined || call.termsHash !== undefined, {
    message: 'a payment is sent with the termsHash it pays under',
    path: ['termsHash'],
  })
export type A2aToolCall = z.output<typeof A2aToolCall>

/** The data part of a served call's result: the output and the payee-signed receipt. */
export const A2aToolResult = z.strictObject({ output: z.unknown(), receipt: z.unknown() })
export type A2aToolResult = z.output<typeof A2aToolResult>
