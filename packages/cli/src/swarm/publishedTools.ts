import type { Agent } from '@gotong/agent'
import type { Address } from 'viem'

/** A tool in the directory as the orchestrator's index has it: whose, where it is served, and whether its manifest verified. */
export type PublishedTool = {
  toolId: bigint
  name: string
  creator: Address
  endpoint: string
  status: 'verified' | 'unverified'
}

/**
 * Every tool of the directory with its manifest's endpoint, read from `agent`'s index after a
 * sync: what consumers are told to call. Unverified manifests are listed too, so a relaxed rule
 * that did not apply shows as `unverified` rather than as a missing tool.
 */
export async function publishedTools(agent: Agent): Promise<PublishedTool[]> {
  await agent.index.sync()
  const results = await agent.index.search({ includeUnverified: true, limit: 100 })
  return results
    .flatMap((r) => r.offers)
    .map((l) => ({
      toolId: l.toolId,
      name: l.manifest?.name ?? '',
      creator: l.creator,
      endpoint: l.manifest?.endpoint ?? '',
      status: l.status,
    }))
    .sort((a, b) => Number(a.toolId - b.toolId))
}
