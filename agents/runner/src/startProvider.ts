import {
  type Agent,
  type CreateAgentParameters,
  createAgent,
  type Network,
  type ServedTool,
  type ServeOptions,
  type Tool,
} from '@gotong/agent'
import { parseAmount } from '@gotong/core'
import type { Hex, LocalAccount } from 'viem'

/** Options every ready-made agent's `start` takes. */
export type AgentStartOptions = {
  network: Network
  /** A private key or a viem LocalAccount. */
  account: Hex | LocalAccount
  /** Name shown in logs (the agent's kind by default). */
  name?: string
  /** Folder for the agent's SQLite state. */
  store?: string
  host?: string
  port?: number
  /** Every priced tool's x402 face (on by default), for all the offers: see `ServeOptions`. */
  x402?: ServeOptions['x402']
  /** Any other `createAgent` parameter: an LLM, a budget, a clock, `onCall`, … */
  agent?: Partial<Omit<CreateAgentParameters, 'account' | 'network'>>
}

/** One tool an agent offers, with its terms. */
export type Offer = { tool: Tool; options: ServeOptions }

/** A tool being served: the directory's answer plus the name and listed price. */
export type ServedOffer = ServedTool & { name: string; price: bigint }

/** A started agent, what it serves, and how to stop it. */
export type RunningAgent = {
  agent: Agent
  served: ServedOffer[]
  stop(): Promise<void>
}

/**
 * Creates an agent and serves each offer (publishing it to the directory). Offers may be a
 * function of the agent, for pricing that reads the chain through it. If any offer fails to
 * publish, the agent is stopped before the error is rethrown, so nothing is left listening.
 *
 * @example
 * const running = await startProvider(options, 'stats-provider', [
 *   { tool: datasetStatsTool, options: { price: '0.002' } },
 * ])
 * console.log(running.served.map((s) => s.toolId))
 */
export async function startProvider(
  options: AgentStartOptions,
  kind: string,
  offers: readonly Offer[] | ((agent: Agent) => readonly Offer[]),
): Promise<RunningAgent> {
  const agent = await createAgent({
    ...options.agent,
    account: options.account,
    network: options.network,
    name: options.name ?? kind,
    ...(options.store ? { store: options.store } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  })
  const served: ServedOffer[] = []
  try {
    for (const offer of typeof offers === 'function' ? offers(agent) : offers) {
      const listed = await agent.serve(offer.tool, {
        ...offer.options,
        ...(options.x402 !== undefined ? { x402: options.x402 } : {}),
      })
      const { price } = offer.options
      served.push({
        ...listed,
        name: offer.tool.name,
        price: typeof price === 'string' ? parseAmount(price, 6) : price,
      })
    }
  } catch (error) {
    await agent.stop()
    throw error
  }
  return { agent, served, stop: () => agent.stop() }
}
