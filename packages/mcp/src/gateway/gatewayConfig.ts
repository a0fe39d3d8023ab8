import { toBaseUnits } from '@gotong/agent'
import { AddressSchema } from '@gotong/core'
import { z } from 'zod'

/** An amount in a config: a decimal string in gUSD ("0.5"), or base units as a bigint. */
const Amount = z.union([z.string(), z.bigint().nonnegative()]).transform((value, ctx) => {
  try {
    return toBaseUnits(value)
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message })
    return z.NEVER
  }
})

/**
 * How the gateway spends, set by its operator (flags or a config file), never by the model.
 * Every limit is optional; none means no limit of that kind.
 */
export const GatewayConfig = z.strictObject({
  /** Most this gateway process may pay in all. */
  sessionBudget: Amount.optional(),
  /** Most paid in any 24 hours, counting what this agent's store paid before the gateway started. */
  dailyBudget: Amount.optional(),
  /** Most any one tool may be paid in this session. */
  perToolCap: Amount.optional(),
  /** Highest price per call accepted (a call may lower it, never raise it). */
  maxPrice: Amount.optional(),
  /** A call priced above this asks the user first (MCP elicitation); refused if it cannot. */
  confirmAbove: Amount.optional(),
  /** Only these providers may be paid. */
  payees: z.array(AddressSchema).optional(),
  /** Tool ids, refs or tags: each matching directory tool is also served as its own MCP tool. */
  expose: z.array(z.string().min(1)).optional(),
  /** Tool ids or refs to approve at their current version when the gateway starts. */
  approve: z.array(z.string().min(1)).optional(),
})
export type GatewayConfigInput = z.input<typeof GatewayConfig>
export type GatewayConfig = z.output<typeof GatewayConfig>
