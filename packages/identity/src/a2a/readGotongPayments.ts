import type { AgentCard } from '@a2a-js/sdk'
import { A2aError } from './errors.js'
import { GotongPaymentsParams, gotongPaymentsUri } from './gotongPayments.js'

/**
 * The gotong payments extension of an agent card, parsed: the registry, contracts, token, payee
 * and each tool's terms. Throws `A2A_EXTENSION_MISSING` when the card has none or it does not
 * parse.
 *
 * @example const { tools, paymentChannels } = readGotongPayments(await client.getAgentCard())
 */
export function readGotongPayments(card: AgentCard): GotongPaymentsParams {
  const extension = card.capabilities?.extensions?.find((e) => e.uri === gotongPaymentsUri)
  if (!extension)
    throw new A2aError(
      'A2A_EXTENSION_MISSING',
      `Agent ${card.name} does not declare the gotong payments extension (${gotongPaymentsUri}).`,
    )
  const parsed = GotongPaymentsParams.safeParse(extension.params)
  if (!parsed.success)
    throw new A2aError(
      'A2A_EXTENSION_MISSING',
      `Agent ${card.name} declares the gotong payments extension with params that do not parse.`,
      { details: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') },
    )
  return parsed.data
}
