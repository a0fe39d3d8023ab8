import { contentHash } from '@gotong/core'
import type { Hex } from 'viem'
import type { ConsumerContext } from './consumerState.js'
import { getListing } from './getListing.js'

/**
 * Approves the tool's current manifest: calls are refused with `TOOL_CHANGED` if it changes on
 * chain later, until approved again. With `pinned`, approves that manifest hash only (one
 * approved earlier, kept by the caller): if the tool has moved on since, its calls are refused
 * with `TOOL_CHANGED` until its new version is approved.
 *
 * @returns the approved manifest hash.
 */
export async function approveTool(
  consumer: ConsumerContext,
  toolId: bigint,
  pinned?: Hex,
): Promise<Hex> {
  const { state } = consumer
  const key = toolId.toString()
  state.listings.byTool.delete(key)
  const listing = await getListing(consumer, toolId)
  if (pinned && pinned.toLowerCase() !== listing.manifestHash.toLowerCase()) {
    state.approvals.set(key, pinned)
    state.fingerprints.delete(key)
    return pinned
  }
  state.approvals.set(key, listing.manifestHash)
  if (listing.manifest) state.fingerprints.set(key, fingerprintOf(listing.manifest))
  return listing.manifestHash
}

/**
 * A manifest's content apart from where it is served (its `endpoint`, and the `endpoint` of a
 * pricing entry, such as the x402 URL): what an approval is about.
 */
export function fingerprintOf(manifest: Record<string, unknown>): Hex {
  const { endpoint: _, ...content } = manifest
  const { pricing } = content
  if (!Array.isArray(pricing) || !pricing.some((entry) => entry && 'endpoint' in entry))
    return contentHash(content)
  return contentHash({
    ...content,
    pricing: pricing.map(({ endpoint: __, ...entry }: Record<string, unknown>) => entry),
  })
}
