import type { AgentContext } from '../agent/agentContext.js'
import type { RegisteredTool } from './identityState.js'
import { syncRegistration } from './syncRegistration.js'

/**
 * Lists a tool this agent now serves in its registration file, rewritten at once when the
 * agent is registered (or registers on serve).
 */
export async function listServedTool(agent: AgentContext, tool: RegisteredTool): Promise<void> {
  agent.state.identity.tools.set(tool.ref, tool)
  if (agent.state.identity.registered) await syncRegistration(agent)
  // Not written now: a later write reads the account's tools afresh.
  else agent.state.identity.registeredTools = undefined
}
