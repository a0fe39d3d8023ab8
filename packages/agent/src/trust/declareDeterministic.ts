import type { Hex } from 'viem'
import type { AgentContext } from '../agent/agentContext.js'
import { stakeTransaction } from './stakeTransaction.js'

/**
 * Declares a served version deterministic at ProviderStake (irrevocably, for this manifest
 * hash): what makes the manifest's `deterministic: true` slashable. `serve` does it for a tool
 * served with `deterministic: true` where the deployment has ProviderStake.
 *
 * @example await declareDeterministic(agent, served.manifestHash)
 */
export async function declareDeterministic(agent: AgentContext, manifestHash: Hex): Promise<Hex> {
  return stakeTransaction(agent, 'declareDeterministic', [manifestHash])
}
