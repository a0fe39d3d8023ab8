import { describeManifestChanges, type ManifestChanges, manifestChanges } from '@gotong/core'
import { getTool } from '@gotong/directory'
import { AgentError } from '../errors.js'
import { approveTool, fingerprintOf } from './approveTool.js'
import type { ConsumerContext } from './consumerState.js'

/**
 * Checks the tool on chain still has the approved manifest (approving it on first use). A new
 * version that changes only where the tool is served (a provider restarted on another port) is
 * taken silently; any other change (description, schemas, price, terms, the model) is refused
 * with `TOOL_CHANGED` until approved again. The error's `data.changed` names what changed, and
 * `data.model` the model before and after when that is among it.
 */
export async function checkToolVersion(consumer: ConsumerContext, toolId: bigint): Promise<void> {
  const { index, state } = consumer
  const key = toolId.toString()
  const approved = state.approvals.get(key) ?? (await approveTool(consumer, toolId))
  const current = await onChainVersion(consumer, toolId)
  if (current.manifestHash === approved) return
  const before = state.fingerprints.get(key)
  await index.sync()
  const listing = await index.getListing(toolId)
  if (
    before &&
    listing?.manifest &&
    listing.manifestHash === current.manifestHash &&
    fingerprintOf(listing.manifest) === before
  ) {
    state.approvals.set(key, listing.manifestHash)
    consumer.peers.set(listing.creator.toLowerCase(), new URL(listing.manifest.endpoint).origin)
    return
  }
  const changes = changesSince(approved, listing)
  throw new AgentError(
    'TOOL_CHANGED',
    `Tool ${toolId} changed on chain (now version ${current.version}) since it was approved${changes ? ` (${describeManifestChanges(changes)})` : ''}; approve it again to use it.`,
    { data: { approved, current: current.manifestHash, ...changes } },
  )
}

/**
 * What differs between the approved manifest and the current one, when the index knows both:
 * so the user is told why (a new model, new schemas), not only that the hash moved.
 */
function changesSince(
  approved: string,
  listing:
    | {
        manifest?: Record<string, unknown> | undefined
        versions?: readonly { manifestHash: string; manifest?: Record<string, unknown> }[]
      }
    | undefined,
): ManifestChanges | undefined {
  const before = listing?.versions?.find(
    (v) => v.manifestHash.toLowerCase() === approved.toLowerCase(),
  )?.manifest
  if (!before || !listing?.manifest) return undefined
  return manifestChanges(before, listing.manifest)
}

/** The tool's manifest hash on chain, re-read at most every `toolCheckTtlMs`. */
function onChainVersion(consumer: ConsumerContext, toolId: bigint) {
  const { versions } = consumer.state
  const key = toolId.toString()
  const cached = versions.get(key)
  if (cached && consumer.clock() - cached.at < (consumer.toolCheckTtlMs ?? 1_000))
    return cached.read
  const read = getTool(consumer.publicClient, { address: consumer.directory, toolId })
  versions.set(key, { at: consumer.clock(), read })
  read.catch(() => versions.delete(key))
  return read
}
