import { manifestAgentIdentity } from '@gotong/identity'
import type { AgentContext } from '../agent/agentContext.js'
import { ensureRegistered } from './ensureRegistered.js'

/**
 * Registers the agent before it publishes a tool, unless `identity` is off or the deployment has
 * no identity registry, and returns the manifest extension naming it (`dev.gotong.erc8004`),
 * or nothing.
 */
export async function registerOnServe(agent: AgentContext): Promise<Record<string, unknown>> {
  const registered = await (onServe(agent)
    ? ensureRegistered(agent)
    : agent.state.identity.registered)
  return registered ? manifestAgentIdentity({ chainId: agent.chainId, ...registered }) : {}
}

/** Whether `serve` registers the agent: by default, wherever the deployment has a registry. */
export function onServe(agent: AgentContext): boolean {
  const { identity } = agent.parameters
  return (
    identity !== false &&
    (identity?.onServe ?? true) &&
    agent.contracts.identityRegistry !== undefined
  )
}
