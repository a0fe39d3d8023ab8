import {
  type A2aServer,
  type A2aSkillTool,
  buildAgentCard,
  createA2aServer,
} from '@gotong/identity'
import { a2aHttpHandler, agentCardHttpHandler } from '@gotong/identity/node'
import type { Address } from 'viem'
import type { AgentContext } from '../agent/agentContext.js'
import type { CallBody } from '../consumer/types.js'
import type { CallAnswer } from '../provider/hostTool.js'
import { createPayerOf } from './payerOf.js'

/** Where an agent answers A2A's JSON-RPC binding, beside its card at A2A's well-known path. */
export const a2aPath = '/a2a'
export const agentCardPath = '/.well-known/agent-card.json'

/** A tool as A2A sees it: its skill and terms, and the call path its `call` route runs. */
export type A2aTool = A2aSkillTool & {
  call: (body: CallBody, caller: Address) => Promise<CallAnswer>
}

/** An agent's A2A face: the tools on its card and the server that answers for them. */
export type A2aFace = { tools: Map<string, A2aTool>; server: A2aServer }

/**
 * Puts a served tool on the agent's A2A card (one skill, its terms in the gotong extension) and
 * serves its paid calls at `/a2a`; the first tool mounts the card and the endpoint. A message
 * paying for a call runs the tool's own call path with the voucher's payer as the caller.
 * Returns how to replace the tool's entry (after a new version).
 */
export function serveA2a(agent: AgentContext, url: string, tool: A2aTool): (next: A2aTool) => void {
  agent.state.a2a ??= mountA2a(agent, url)
  const face = agent.state.a2a
  const put = (entry: A2aTool) => {
    face.tools.set(entry.toolId, entry)
    face.server.setCard(cardOf(agent, url, face.tools))
  }
  put(tool)
  return put
}

function mountA2a(agent: AgentContext, url: string): A2aFace {
  const tools = new Map<string, A2aTool>()
  const payerOf = createPayerOf({
    payee: agent.payee,
    chainId: agent.chainId,
    channels: agent.contracts.paymentChannels,
  })
  const server = createA2aServer({
    card: cardOf(agent, url, tools),
    now: agent.now,
    serve: async ({ toolId, input, termsHash, payment }) => {
      // Listed on the card, so known: the executor refuses any other id first.
      const tool = tools.get(toolId)!
      return tool.call({ termsHash, input, payment }, await payerOf(payment))
    },
  })
  agent.state.plainRoutes.set(a2aPath, a2aHttpHandler(server))
  agent.state.plainRoutes.set(
    agentCardPath,
    agentCardHttpHandler(() => server.card()),
  )
  return { tools, server }
}

function cardOf(agent: AgentContext, url: string, tools: Map<string, A2aTool>) {
  return buildAgentCard({
    name: agent.name,
    url: `${url}${a2aPath}`,
    address: agent.account.address,
    chainId: agent.chainId,
    registry: agent.contracts.toolDirectory,
    paymentChannels: agent.contracts.paymentChannels,
    token: agent.contracts.gotongToken,
    tools: [...tools.values()].map(({ call: _, ...skill }) => skill),
  })
}
