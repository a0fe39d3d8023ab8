import { parseCaip10, parseCaip19, Uint256 } from '@gotong/core'
import { z } from 'zod'

/** The URI of gotong's A2A extension: paid tool calls over gotong payment channels. */
export const gotongPaymentsUri = 'https://gotong.dev/ext/payments/v1'

/**
 * Keys of the A2A metadata (on a task's status message) that carry a paid call's state, named
 * as the a2a-x402 extension names its own (`x402.payment.*`).
 */
export const gotongMetadata = {
  /** `payment-required`, `payment-completed` or `payment-failed`. */
  status: 'gotong.payment.status',
  /** With `payment-required`: the {@link PaymentTerms} of the tool asked for. */
  required: 'gotong.payment.required',
  /** With `payment-completed`: the payee-signed receipt (also in the result's data part). */
  receipt: 'gotong.payment.receipt',
  /** On a failed task: the refusal as a gotong wire error (`code`, `reason`, `message`, `data`). */
  error: 'gotong.error',
} as const

const caip = (parse: (value: string) => unknown) =>
  z.string().superRefine((value, ctx) => {
    try {
      parse(value)
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message })
    }
  })

/** A tool id as a decimal string (ERC-8257 ids start at 1). */
export const ToolIdString = z.string().regex(/^[1-9][0-9]{0,77}$/, 'a tool id is a decimal integer')

/** One published tool as the card's gotong extension lists it: where to agree and pay for it. */
export const A2aToolTerms = z.strictObject({
  /** The tool id in the registry, decimal; also the id of its skill. */
  toolId: ToolIdString,
  /** Its ERC-8257 reference, `eip155:<chainId>/erc8257:<registry>/<toolId>`. */
  ref: z.string(),
  /** The tool's name (part of every request hash). */
  name: z.string(),
  /** The listed price per call, in the token's base units (the negotiated price is what pays). */
  price: Uint256,
  /** Where to negotiate (`POST`, a signed envelope: the gotong route `tools/<slug>/negotiate`). */
  negotiate: z.url(),
  /** Where to bind a funded channel to the agreement (`tools/<slug>/fund`). */
  fund: z.url(),
  /** The tool's x402 URL, when it also answers x402: paying per call without a channel. */
  x402: z.url().optional(),
  /** Whether the tool is token-gated (its predicate is on the registry). */
  gated: z.boolean(),
})
export type A2aToolTerms = z.output<typeof A2aToolTerms>

/** The params of the gotong extension in an agent card's `capabilities.extensions`. */
export const GotongPaymentsParams = z.strictObject({
  version: z.literal(1),
  /** The ToolDirectory (ERC-8257 registry) the tools are listed in, CAIP-10. */
  registry: caip(parseCaip10),
  /** The PaymentChannels contract that holds the deposits, CAIP-10. */
  paymentChannels: caip(parseCaip10),
  /** The token calls are paid in, CAIP-19. */
  token: caip(parseCaip19),
  /** The agent: it signs agreements and receipts and is paid, CAIP-10. */
  payee: caip(parseCaip10),
  tools: z.array(A2aToolTerms),
})
export type GotongPaymentsParams = z.output<typeof GotongPaymentsParams>

/**
 * What a call without payment is told (`input-required`): the tool's terms, and the contracts
 * they are on.
 */
export const PaymentTerms = A2aToolTerms.extend({
  registry: GotongPaymentsParams.shape.registry,
  paymentChannels: GotongPaymentsParams.shape.paymentChannels,
  token: GotongPaymentsParams.shape.token,
  payee: GotongPaymentsParams.shape.payee,
})
export type PaymentTerms = z.output<typeof PaymentTerms>
