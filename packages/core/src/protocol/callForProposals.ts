import { z } from 'zod'
import { rule } from '../manifest/rules.js'
import { AddressSchema, Bytes32, Uint32, Uint64, Uint256 } from '../utils/scalars.js'

/**
 * A consumer's call for proposals, sent to every candidate provider. Names either one tool
 * (registry, id, optionally the pinned manifest) or a capability (a manifest tag), and the
 * consumer's constraints. Timestamps are unix seconds; amounts base units.
 */
export const CallForProposals = z
  .strictObject({
    type: z.literal('cfp'),
    /** Unique per negotiation; every later message of the negotiation repeats it. */
    cfpId: Bytes32,
    consumer: AddressSchema,
    chainId: z.number().int().min(1),
    tool: z
      .strictObject({
        registry: AddressSchema,
        toolId: Uint256,
        manifestHash: Bytes32.optional(),
      })
      .optional(),
    /** A capability as a manifest tag, when any tool that has it will do. */
    capability: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be lowercase letters, digits and hyphens')
      .max(32)
      .optional(),
    constraints: z.strictObject({
      /** Hard cap: proposals above it are not considered. */
      maxPricePerCall: Uint256,
      /** The token the consumer pays in; any when absent. */
      token: AddressSchema.optional(),
      /** Calls wanted. */
      calls: Uint64,
      /** The calls are wanted until then: an agreement should stay valid at least as long. */
      deadline: Uint64,
      /** Service levels wanted: a p95 latency at most, a rate at least. */
      sla: z
        .strictObject({ p95LatencyMs: Uint32.optional(), callsPerMinute: Uint32.optional() })
        .optional(),
    }),
    /** Proposals arriving later are ignored. */
    respondBy: Uint64,
  })
  .refine(
    (cfp) => (cfp.tool === undefined) !== (cfp.capability === undefined),
    rule('tool_or_capability', 'must name exactly one of tool or capability'),
  )
export type CallForProposals = z.output<typeof CallForProposals>
