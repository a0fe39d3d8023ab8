import { contentHash } from '@gotong/core'
import type { Hex } from 'viem'
import type { ConsumerContext } from './consumerState.js'
import { getListing } from './getListing.js'

/**
 * Approves the tool's current manifest: calls are refused with `TOOL_CHANGED` if it changes on
 * chain later, until approved again.
 *
 * @returns the approved manifest hash.
 */
export async function approveTool(consumer: ConsumerContext, toolId: bigint): Promise<Hex> {
  const { state } = consumer
  state.versions.delete(toolId.toString())
  const listing = await getListing(consumer, toolId)
  state.approvals.set(toolId.toString(), listing.manifestHash)
  if (listing.manifest) state.fingerprints.set(toolId.toString(), fingerprintOf(listing.manifest))
  return listing.manifestHash
}

/** A manifest's content apart from where it is served: what an approval is about. */
export function fingerprintOf(manifest: Record<string, unknown>): Hex {
  const { endpoint: _, ...content } = manifest
  return contentHash(content)
}
