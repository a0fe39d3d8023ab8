import { AgentError } from '../errors.js'
import type { ConsumerContext } from './consumerState.js'
import { establishRelationship } from './establishRelationship.js'
import { rememberRelationship } from './savedRelationships.js'
import type { Relationship, SpendLimits, WantedSla } from './types.js'

export type NegotiateCapabilityParameters = SpendLimits & { sla?: WantedSla | undefined }

/**
 * Asks every provider listing `capability` (a manifest tag) for terms at once, agrees with
 * the best offer (price and service levels), funds it, and returns the relationship with the
 * chosen tool: competing providers negotiated, not just looked up. Later calls of that tool
 * pay through it.
 */
export function negotiateCapability(
  consumer: ConsumerContext,
  capability: string,
  options: NegotiateCapabilityParameters = {},
): Promise<Relationship> {
  const { index, state } = consumer
  const existing = state.capabilities.get(capability)
  if (existing) return existing
  const pending = (async () => {
    await index.sync()
    const hits = await index.search({ tags: [capability], limit: 50 })
    const me = consumer.account.address.toLowerCase()
    const listings = hits
      .flatMap((hit) => hit.offers)
      .filter(
        (l) =>
          l.status === 'verified' &&
          !l.deregistered &&
          l.manifest &&
          l.creator.toLowerCase() !== me,
      )
    if (listings.length === 0)
      throw new AgentError('TOOL_NOT_FOUND', `No provider lists the capability ${capability}.`)
    const admitted = consumer.requireAttestation
      ? (await consumer.requireAttestation.filter(listings)).accepted
      : listings
    if (admitted.length === 0)
      throw new AgentError(
        'TOOL_NOT_ATTESTED',
        `No provider of the capability ${capability} passes the attestation this agent requires.`,
      )
    const relationship = await establishRelationship(consumer, {
      candidates: [...admitted],
      target: { capability },
      maxPrice: options.maxPrice,
      budget: options.budget ?? consumer.budget,
      sla: options.sla,
    })
    const chosen = listings.find((l) => l.toolId === relationship.toolId)!
    state.approvals.set(relationship.toolId.toString(), chosen.manifestHash)
    state.relationships.set(relationship.toolId.toString(), Promise.resolve(relationship))
    return rememberRelationship(consumer, relationship)
  })()
  state.capabilities.set(capability, pending)
  pending.catch(() => state.capabilities.delete(capability))
  return pending
}
