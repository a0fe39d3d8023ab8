import { describeManifestChanges, type ManifestChanges, manifestChanges } from '@gotong/core'
import type { DirectoryIndex } from '@gotong/directory/node'
import { AgentError } from '../errors.js'
import { approveTool, fingerprintOf } from './approveTool.js'
import type { ConsumerContext } from './consumerState.js'

type IndexedListing = NonNullable<Awaited<ReturnType<DirectoryIndex['getListing']>>>

/**
 * Checks the tool in the directory index still has the approved manifest (approving it on first
 * use). The index is synced to the chain's head at most every `toolCheckTtlMs` (one sync shared
 * by every call meanwhile), and the listing is read again only once that moved the index's
 * cursor: so calls don't each read the chain, and a change on chain is seen within the window.
 * A new version that changes only where the tool is served (a provider restarted on another
 * port) is taken silently; any other change (description, schemas, price, terms, the model) is
 * refused with `TOOL_CHANGED` until approved again. The error's `data.changed` names what
 * changed, and `data.model` the model before and after when that is among it.
 */
export async function checkToolVersion(consumer: ConsumerContext, toolId: bigint): Promise<void> {
  const { state } = consumer
  const key = toolId.toString()
  const approved = state.approvals.get(key) ?? (await approveTool(consumer, toolId))
  const listing = await indexedListing(consumer, toolId)
  if (listing.manifestHash.toLowerCase() === approved.toLowerCase()) return
  const before = state.fingerprints.get(key)
  if (
    before &&
    listing.manifest &&
    listing.status === 'verified' &&
    fingerprintOf(listing.manifest) === before
  ) {
    state.approvals.set(key, listing.manifestHash)
    consumer.peers.set(listing.creator.toLowerCase(), new URL(listing.manifest.endpoint).origin)
    return
  }
  const changes = changesSince(approved, listing)
  throw new AgentError(
    'TOOL_CHANGED',
    `Tool ${toolId} changed on chain (now version ${listing.version}) since it was approved${changes ? ` (${describeManifestChanges(changes)})` : ''}; approve it again to use it.`,
    { data: { approved, current: listing.manifestHash, ...changes } },
  )
}

/**
 * What differs between the approved manifest and the current one, when the index knows both:
 * so the user is told why (a new model, new schemas), not only that the hash moved.
 */
function changesSince(approved: string, listing: IndexedListing): ManifestChanges | undefined {
  const before = listing.versions?.find(
    (v) => v.manifestHash.toLowerCase() === approved.toLowerCase(),
  )?.manifest
  if (!before || !listing.manifest) return undefined
  return manifestChanges(before, listing.manifest)
}

/**
 * The tool's listing as the index has it after a sync at most `toolCheckTtlMs` old, read once
 * per cursor position: a listing changes only through a new block's events (or a reorg, which
 * moves the cursor too), so while the cursor stays, the read stands. The cursor itself is read
 * once per sync.
 */
async function indexedListing(consumer: ConsumerContext, toolId: bigint): Promise<IndexedListing> {
  const { index, state } = consumer
  await syncedIndex(consumer)
  // The cursor is read once per sync of this check (a SQLite read a call otherwise): another
  // sync meanwhile (a search) may move it, and the next check's sync, within the window, sees it.
  if (state.listings.sync !== state.indexSync || !state.indexSync) {
    const cursor = index.cursor()
    const at = `${cursor.blockNumber}:${cursor.blockHash ?? ''}`
    if (state.listings.at !== at) state.listings = { at, byTool: new Map() }
    state.listings.sync = state.indexSync
  }
  const { byTool } = state.listings
  const key = toolId.toString()
  let read = byTool.get(key)
  if (!read) {
    read = index.getListing(toolId)
    byTool.set(key, read)
    read.catch(() => byTool.delete(key))
  }
  const listing = await read
  if (!listing || listing.deregistered)
    throw new AgentError('TOOL_NOT_FOUND', `Tool ${toolId} is not a live listing any more.`)
  return listing
}

/** Syncs the index to the chain's head unless a sync started within `toolCheckTtlMs`. */
function syncedIndex(consumer: ConsumerContext): Promise<unknown> {
  const { state } = consumer
  const last = state.indexSync
  if (last && consumer.clock() - last.at < (consumer.toolCheckTtlMs ?? 1_000)) return last.done
  const done = consumer.index.sync()
  const sync = { at: consumer.clock(), done }
  state.indexSync = sync
  done.catch(() => {
    if (state.indexSync === sync) state.indexSync = undefined
  })
  return done
}
