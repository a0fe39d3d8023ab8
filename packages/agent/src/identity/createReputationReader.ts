import type { Deployments } from '@gotong/chain'
import type { Listing } from '@gotong/directory/node'
import { agentIdentityOf, readAgent, readReputation } from '@gotong/identity'
import type { PublicClient } from 'viem'
import type { ReputationScoring } from './types.js'

/**
 * Reads a listing's provider's paid reputation for scoring offers, 0 to 1: the agent its
 * manifest names (only if that agent's wallet is the listing's creator), its ERC-8004 summary
 * over the receipt gateway's feedback (0–100), shrunk towards 0.5 by `prior` phantom votes so an
 * agent with one glowing review does not beat one with fifty good ones. Undefined for a provider
 * with no identity, or a deployment without the registries.
 *
 * @example const reputation = createReputationReader({ publicClient, chainId, contracts })(listing)
 */
export function createReputationReader(parameters: {
  publicClient: PublicClient
  chainId: number
  contracts: Deployments['contracts']
  scoring?: ReputationScoring | undefined
}): (listing: Listing) => Promise<number | undefined> {
  const { publicClient, chainId, contracts } = parameters
  const { identityRegistry, reputationRegistry, receiptFeedbackGateway: gateway } = contracts
  const prior = parameters.scoring?.prior ?? 2
  return async (listing) => {
    if (!identityRegistry || !reputationRegistry || !gateway) return undefined
    const named = agentIdentityOf(listing.manifest)
    if (
      !named ||
      named.chainId !== chainId ||
      named.identityRegistry.toLowerCase() !== identityRegistry.toLowerCase()
    )
      return undefined
    const { agentId } = named
    const agent = await readAgent(publicClient, { identityRegistry, agentId }).catch(
      () => undefined,
    )
    if (agent?.wallet?.toLowerCase() !== listing.creator.toLowerCase()) return undefined
    const { summary } = await readReputation(publicClient, {
      reputationRegistry,
      gateway,
      agentId,
    })
    const n = Number(summary.count)
    const average = n === 0 ? 0.5 : Number(summary.value) / 10 ** summary.decimals / 100
    const bounded = Math.min(1, Math.max(0, average))
    return (bounded * n + 0.5 * prior) / (n + prior)
  }
}
