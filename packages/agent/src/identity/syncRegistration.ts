import {
  agentRegistryOf,
  buildAgentRegistration,
  readAgent,
  setAgentUri,
  toAgentDataUri,
} from '@gotong/identity'
import { agentCardPath } from '../a2a/serveA2a.js'
import type { AgentContext } from '../agent/agentContext.js'
import { registeredToolIds } from '../provider/registeredToolIds.js'
import { ensureRegistered, ownerWalletOf } from './ensureRegistered.js'
import type { RegisteredTool } from './identityState.js'
import type { AgentIdentity } from './types.js'

/**
 * Registers the agent if it is not yet, then brings its registration file up to date: its
 * endpoint, A2A card, tools and x402 faces, and the services it was given. The file is served
 * at once; the URI on chain (a `data:` URI, or `identity.uri`) is rewritten only when it
 * changed. Updates run one at a time, each writing the newest file.
 */
export async function syncRegistration(agent: AgentContext): Promise<AgentIdentity> {
  const registered = await ensureRegistered(agent)
  const state = agent.state.identity
  const next = state.writes.then(async () => {
    const { agentId, identityRegistry, owner } = registered
    const options = agent.parameters.identity || undefined
    const url = agent.parameters.publicUrl ?? agent.state.listener?.url
    const file = buildAgentRegistration({
      name: agent.name,
      description: options?.description,
      image: options?.image,
      chainId: agent.chainId,
      wallet: agent.account.address,
      endpoint: url,
      a2a:
        url && agent.state.plainRoutes.has(agentCardPath)
          ? { endpoint: `${url}${agentCardPath}` }
          : undefined,
      tools: await toolsOf(agent),
      registrations: [{ identityRegistry, agentId }],
      services: [...(options?.services ?? []), ...state.services],
      active: url !== undefined,
    })
    state.file = file
    const agentURI = options?.uri ?? toAgentDataUri(file)
    state.onChainUri ??= (
      await readAgent(agent.publicClient, { identityRegistry, agentId })
    ).agentURI
    if (state.onChainUri !== agentURI) {
      const ownerWallet = ownerWalletOf(agent)
      await agent.consumer.queue(() =>
        setAgentUri(ownerWallet, { identityRegistry, agentId, agentURI }),
      )
      state.onChainUri = agentURI
    }
    state.current = {
      agentId,
      identityRegistry,
      agentRegistry: agentRegistryOf(agent.chainId, identityRegistry),
      owner,
      wallet: agent.account.address,
      agentURI,
      registration: file,
    }
    return state.current
  })
  state.writes = next.catch(() => undefined)
  return next
}

/**
 * The tools to list: those served by this process, then the account's other live listings in
 * the directory (published by an earlier process), by reference.
 */
async function toolsOf(agent: AgentContext): Promise<RegisteredTool[]> {
  const tools = new Map(agent.state.identity.tools)
  // Only tools this process does not serve need the index (of every tool) synced and searched.
  const served = new Set([...tools.keys()].map(refOrder))
  const registered = agent.state.identity.registeredTools ?? (await registeredToolIds(agent))
  agent.state.identity.registeredTools = undefined
  const others = registered.filter((id) => !served.has(Number(id)))
  if (others.length === 0)
    return [...tools.values()].sort((a, b) => refOrder(a.ref) - refOrder(b.ref))
  await agent.index.sync()
  const mine = await agent.index.search({
    creator: agent.account.address,
    limit: 100,
    requirements: false,
  })
  for (const listing of mine.flatMap((hit) => hit.offers)) {
    if (listing.deregistered || !listing.manifest || tools.has(listing.ref)) continue
    if (listing.creator.toLowerCase() !== agent.account.address.toLowerCase()) continue
    const x402 = listing.manifest.pricing?.find((p) => p.protocol === 'x402') as
      | { endpoint?: string }
      | undefined
    tools.set(listing.ref, {
      ref: listing.ref,
      name: listing.manifest.name,
      ...(x402?.endpoint ? { x402: x402.endpoint } : {}),
    })
  }
  return [...tools.values()].sort((a, b) => refOrder(a.ref) - refOrder(b.ref))
}

/** A reference's tool id, for listing tools in the order they were published. */
function refOrder(ref: string): number {
  return Number(ref.slice(ref.lastIndexOf('/') + 1))
}
