import { noEnvelopeHash, toCaip10, WireError } from '@gotong/core'
import { type A2aConnection, connectA2a } from '@gotong/identity'
import type { AgentContext } from '../agent/agentContext.js'
import { spendLimitsOf } from '../agent/amounts.js'
import type { CallOptions } from '../agent/types.js'
import type { CallAnswer } from '../consumer/sendCall.js'
import type { CallBody, ChannelCallResult } from '../consumer/types.js'
import { AgentError } from '../errors.js'

/**
 * One paid call of a tool over A2A: reads the agent's card (`cardUrl`: its base URL or the
 * card's URL), checks the tool is on it and listed in this agent's directory, agrees and funds
 * through gotong on first use (the card's terms name the same routes the listing does), then
 * sends `SendMessage` with the voucher. The receipt is checked as on gotong's own route; a
 * refusal comes back as an `AgentError` with the provider's code.
 */
export async function a2aCall(
  agent: AgentContext,
  cardUrl: string,
  toolId: bigint,
  input: unknown,
  options: Omit<CallOptions, 'expectedCalls'> = {},
): Promise<ChannelCallResult> {
  const connection = await connectA2a(cardUrl, { fetch: agent.parameters.fetch })
  const { payments } = connection
  const directory = toCaip10(agent.chainId, agent.contracts.toolDirectory)
  if (payments.registry !== directory)
    throw new AgentError(
      'TOOL_NOT_FOUND',
      `The agent at ${cardUrl} lists its tools on ${payments.registry}, not on this agent's directory ${directory}.`,
    )
  if (!payments.tools.some((t) => t.toolId === toolId.toString()))
    throw new AgentError(
      'TOOL_NOT_FOUND',
      `The agent at ${cardUrl} has no skill for tool ${toolId}.`,
    )
  const railReason = `paid over A2A at ${connection.card.supportedInterfaces[0]?.url ?? cardUrl}, through a channel`
  const answer = await agent.consumer.callChannel(toolId, input, {
    ...spendLimitsOf(options, `a2a/${toolId}`),
    railReason,
    // No envelope carries an A2A call: its voucher binds none (the A2A face authenticates
    // the caller as the channel's payer by the voucher's signature, as before).
    send: async (_relationship, body, pay, _key, signal) =>
      sendOverA2a(connection, toolId, { ...body, payment: await pay(noEnvelopeHash) }, signal),
  })
  return { ...answer, rail: 'channel', railReason }
}

/**
 * Sends one paid call as an A2A message and answers as gotong's `call` route would: the output
 * and receipt, or the provider's refusal as its `WireError`.
 */
async function sendOverA2a(
  connection: A2aConnection,
  toolId: bigint,
  body: CallBody,
  signal: AbortSignal | undefined,
): Promise<CallAnswer> {
  const answer = await connection.callTool(
    { toolId: toolId.toString(), ...body },
    signal ? { signal } : {},
  )
  if (answer.state === 'completed') return { output: answer.output, receipt: answer.receipt }
  if (answer.state === 'failed') throw answer.error
  // A paid message is never asked for payment by a gotong agent: said as a refusal, not charged.
  throw new WireError(
    'payment_required',
    `The agent asked to be paid for a paid call of ${toolId}.`,
    {
      data: { code: 'PAYMENT_REFUSED' },
    },
  )
}
