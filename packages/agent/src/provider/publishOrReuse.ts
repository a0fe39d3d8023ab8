import { manifestHash, type ToolManifest } from '@gotong/core'
import { publishTool, publishVersion, setAccess } from '@gotong/directory'
import type { Address, Hex } from 'viem'
import type { AgentContext } from '../agent/agentContext.js'
import { registeredToolIds } from './registeredToolIds.js'

/**
 * Publishes a tool, or, if this agent already published one of that name (a restart), keeps
 * its id and publishes a new version only if the manifest changed (a new port, say).
 */
export async function publishOrReuse(
  agent: AgentContext,
  toolName: string,
  manifest: ToolManifest,
  accessPredicate: Address | null,
): Promise<{ toolId: bigint; ref: string; manifestHash: Hex }> {
  const { wallet, account, contracts } = agent
  // A first serve (nothing registered by this account) needs no index of the directory.
  const registered = await registeredToolIds(agent)
  const mine = registered.length > 0 ? await mineInIndex(agent) : []
  const existing = mine
    .flatMap((hit) => hit.offers)
    .find((l) => l.manifest?.name === toolName && !l.deregistered && l.creator === account.address)
  if (!existing) {
    const published = await publishTool(wallet, {
      address: contracts.toolDirectory,
      manifest,
      accessPredicate,
      gotong: true,
    })
    agent.state.identity.registeredTools = [...registered, published.toolId]
    return published
  }
  agent.state.identity.registeredTools = registered
  const hash = manifestHash(manifest)
  if (hash !== existing.manifestHash)
    await publishVersion(wallet, {
      address: contracts.toolDirectory,
      toolId: existing.toolId,
      manifest,
      gotong: true,
    })
  if ((existing.access.predicate ?? null) !== accessPredicate)
    await setAccess(wallet, {
      address: contracts.toolDirectory,
      toolId: existing.toolId,
      predicate: accessPredicate,
    })
  return { toolId: existing.toolId, ref: existing.ref, manifestHash: hash }
}

/** This agent's listings, from its index synced to the head. */
async function mineInIndex(agent: AgentContext) {
  await agent.index.sync()
  return agent.index.search({ creator: agent.account.address, limit: 100, requirements: false })
}
