import { fingerprintOf } from '@gotong/agent'
import type { Listing } from '@gotong/directory/node'
import type { GatewayState } from './gatewayState.js'

/**
 * Settles which version of a tool this gateway serves, and hands that approval to the agent:
 * - never pinned: its current version is pinned (first use, or `gotong mcp approve`);
 * - pinned at its current version: served;
 * - moved on chain only in where it is served (its endpoint: a provider restarted elsewhere):
 *   the pin follows, silently;
 * - changed in anything else (description, schemas, price, terms): `changed`, and the agent
 *   is given the old pin, so a call is refused with `TOOL_CHANGED` until approved again.
 */
export async function pinApproval(
  state: GatewayState,
  listing: Listing,
): Promise<'approved' | 'changed'> {
  const key = listing.toolId.toString()
  const pin = state.pins.get(listing.toolId)
  const pinned = pin?.manifestHash === listing.manifestHash
  // Hashing the manifest is only needed when the pin is of another version: not on every call.
  const fingerprint = pinned ? pin.fingerprint : fingerprintOf(listing.manifest!)
  const current = !pin || pinned || pin.fingerprint === fingerprint
  if (current && !pinned)
    state.pins.set(listing.toolId, { manifestHash: listing.manifestHash, fingerprint })
  const approve = current ? listing.manifestHash : pin!.manifestHash
  if (state.approved.get(key) !== approve) {
    await state.agent.approve(listing.toolId, approve)
    state.approved.set(key, approve)
  }
  return current ? 'approved' : 'changed'
}
