import type { Listing } from '@gotong/directory/node'
import { AgentError } from '../errors.js'
import type { ConsumerContext } from './consumerState.js'

/**
 * A tool's verified, live listing from the index, syncing once if the index has not seen it
 * yet; `TOOL_NOT_FOUND` otherwise. Remembers the tool's name for request hashes.
 */
export async function getListing(consumer: ConsumerContext, toolId: bigint): Promise<Listing> {
  const { index, state } = consumer
  let listing = await index.getListing(toolId)
  if (!listing) {
    await index.sync()
    listing = await index.getListing(toolId)
  }
  if (!listing || listing.deregistered || listing.status !== 'verified' || !listing.manifest)
    throw new AgentError('TOOL_NOT_FOUND', `Tool ${toolId} is not a verified, live listing.`)
  if (consumer.requireAttestation) {
    const { accepted } = await consumer.requireAttestation.filter([listing])
    if (accepted.length === 0)
      throw new AgentError(
        'TOOL_NOT_ATTESTED',
        `Tool ${toolId} does not pass the attestation this agent requires.`,
      )
  }
  state.names.set(toolId.toString(), listing.manifest.name)
  return listing
}

/** The tool's name as its manifest gives it: part of every request hash. */
export async function getToolName(consumer: ConsumerContext, toolId: bigint): Promise<string> {
  return (
    consumer.state.names.get(toolId.toString()) ??
    (await getListing(consumer, toolId)).manifest!.name
  )
}
