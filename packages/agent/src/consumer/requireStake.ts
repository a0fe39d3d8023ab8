import { getProviderStake } from '@gotong/directory'
import type { Listing } from '@gotong/directory/node'
import { AgentError } from '../errors.js'
import type { ConsumerContext } from './consumerState.js'

/**
 * The listings whose providers keep at least the consumer's `minStake` behind the tool at
 * ProviderStake, read from the chain now; with none left, `STAKE_TOO_LOW` (and
 * `STAKE_UNAVAILABLE` where the deployment has no ProviderStake). Without `minStake`, all.
 */
export async function requireStake(
  consumer: ConsumerContext,
  listings: readonly Listing[],
  label: string,
): Promise<readonly Listing[]> {
  const { minStake, providerStake } = consumer
  if (minStake === undefined || minStake === 0n) return listings
  if (!providerStake)
    throw new AgentError(
      'STAKE_UNAVAILABLE',
      `A minimum stake is required, but this deployment has no ProviderStake contract.`,
    )
  const stakes = await Promise.all(
    listings.map((l) =>
      getProviderStake(consumer.publicClient, {
        address: providerStake,
        provider: l.creator,
        toolId: l.toolId,
      }).then((s) => s.stake),
    ),
  )
  const kept = listings.filter((_, i) => stakes[i]! >= minStake)
  if (kept.length === 0) {
    const most = stakes.reduce((a, b) => (b > a ? b : a), 0n)
    throw new AgentError(
      'STAKE_TOO_LOW',
      `No provider of ${label} keeps the required stake of ${minStake} behind it (at most ${most}).`,
      { data: { minStake: minStake.toString(), stake: most.toString() } },
    )
  }
  return kept
}
