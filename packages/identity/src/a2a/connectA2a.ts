import { AGENT_CARD_PATH, type AgentCard } from '@a2a-js/sdk'
import {
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  ServiceParameters,
  withA2AExtensions,
} from '@a2a-js/sdk/client'
import type { z } from 'zod'
import { type GotongPaymentsParams, gotongPaymentsUri } from './gotongPayments.js'
import { readGotongPayments } from './readGotongPayments.js'
import { readToolTask, type ToolTaskAnswer } from './readToolTask.js'
import type { A2aToolCall } from './toolCall.js'
import { toolCallMessage } from './toolCallMessage.js'

/** A gotong agent reached over A2A: its card, its terms, and tool calls to it. */
export type A2aConnection = {
  readonly card: AgentCard
  readonly payments: GotongPaymentsParams
  /** Sends one tool call (`SendMessage`, the gotong extension activated) and reads the answer. */
  callTool(
    call: z.input<typeof A2aToolCall>,
    options?: { taskId?: string; signal?: AbortSignal },
  ): Promise<ToolTaskAnswer>
}

/**
 * Fetches an agent's A2A card with `@a2a-js/sdk`'s client (from the agent's base URL, or the
 * card's own URL) and reads its gotong terms; calls then go to the JSON-RPC interface the card
 * names. Throws `A2A_EXTENSION_MISSING` for an agent without gotong's extension.
 *
 * @example const agent = await connectA2a('http://127.0.0.1:8402'); await agent.callTool({ toolId: '1', input })
 */
export async function connectA2a(
  url: string,
  options: { fetch?: typeof globalThis.fetch | undefined } = {},
): Promise<A2aConnection> {
  const fetchImpl = options.fetch
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory(fetchImpl ? { fetchImpl } : {})],
      cardResolver: new DefaultAgentCardResolver(fetchImpl ? { fetchImpl } : {}),
    }),
  )
  const { base, path } = cardLocation(url)
  const client = await factory.createFromUrl(base, path)
  const card = await client.getAgentCard()
  const payments = readGotongPayments(card)
  const serviceParameters = ServiceParameters.create(withA2AExtensions(gotongPaymentsUri))
  return {
    card,
    payments,
    async callTool(call, { taskId, signal } = {}) {
      const result = await client.sendMessage(toolCallMessage(call, taskId ? { taskId } : {}), {
        serviceParameters,
        ...(signal ? { signal } : {}),
      })
      return readToolTask(result)
    },
  }
}

/** A card URL taken apart; a base URL's card is at A2A's well-known path. */
function cardLocation(url: string): { base: string; path: string } {
  const parsed = new URL(url)
  if (parsed.pathname.endsWith('.json')) return { base: parsed.origin, path: parsed.pathname }
  return { base: url, path: AGENT_CARD_PATH }
}
