import type { Hex } from 'viem'
import { z } from 'zod'
import { parseWith } from '../errors/validation.js'
import { contentHash } from '../utils/canonical.js'
import { addIssue, checkHttpsUrl, codePoints, devnetChainIds, isNfc } from './rules.js'

/**
 * The `type` of a gotong agent card.
 *
 * @deprecated gotong agents now publish an ERC-8004 registration file (`@gotong/identity`,
 * registered by `createAgent` on its first `serve`) and clear an old card they find; kept so
 * ToolDirectory's `AgentCardSet` events written before still read.
 */
export const agentCardType = 'https://gotong.dev/agent-card-v1'

const name = z.string().superRefine((value, ctx) => {
  if (codePoints(value) < 1 || codePoints(value) > 64)
    addIssue(ctx, 'invalid_length', 'must have 1 to 64 characters')
  if (/\p{Cc}/u.test(value))
    addIssue(ctx, 'control_character', 'must not contain control characters')
  if (!isNfc(value)) addIssue(ctx, 'not_nfc', 'must be Unicode NFC')
})

/**
 * An agent's public card: who it is, where it listens, what it offers. Registered on chain
 * by the agent's own account (`cardHash = keccak256(JCS(card))`), served by the agent.
 *
 * @deprecated Replaced by the ERC-8004 registration file (`AgentRegistrationFile` of
 * `@gotong/identity`); kept to read cards published before.
 */
export const AgentCard = z
  .strictObject({
    type: z.literal(agentCardType),
    name,
    description: z
      .string()
      .max(500)
      .refine(isNfc, { message: 'must be Unicode NFC', params: { rule: 'not_nfc' } })
      .optional(),
    /** Base URL of the agent's transport endpoint. */
    endpoint: z.string().max(2048),
    /** The agent's account (lowercase hex, as every hashed gotong document). */
    address: z.string().regex(/^0x[0-9a-f]{40}$/, 'must be a lowercase 0x address'),
    /** CAIP-2 chain the agent transacts on. */
    chain: z.string().regex(/^eip155:(0|[1-9][0-9]*)$/),
    /** Free-form capability tags, same grammar as manifest tags. */
    tags: z
      .array(
        z
          .string()
          .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/)
          .max(32),
      )
      .max(16)
      .optional(),
  })
  .superRefine((card, ctx) => {
    const chainId = Number(card.chain.slice('eip155:'.length))
    const problem = checkHttpsUrl(card.endpoint, {
      allowLoopbackHttp: devnetChainIds.includes(chainId),
      devnetHint: `this card is for chain ${chainId}`,
    })
    if (problem) addIssue(ctx, problem.rule, problem.message, ['endpoint'])
  })
export type AgentCard = z.infer<typeof AgentCard>

/**
 * Validates an agent card and returns its content hash.
 *
 * @example const hash = agentCardHash(card)
 */
export function agentCardHash(card: unknown): Hex {
  return contentHash(parseWith(AgentCard, card, 'agent card'))
}
