import type { Hex } from 'viem'
import { type StakeClient, stakeTransaction } from './stakeTransaction.js'

/**
 * Declares a served version deterministic at ProviderStake (irrevocably, for this manifest
 * hash): what makes the manifest's `deterministic: true` slashable. `serve` does it for a tool
 * served with `deterministic: true` where the deployment has ProviderStake.
 *
 * @example await declareDeterministic(client, served.manifestHash)
 */
export async function declareDeterministic(client: StakeClient, manifestHash: Hex): Promise<Hex> {
  return stakeTransaction(client, 'declareDeterministic', [manifestHash])
}
