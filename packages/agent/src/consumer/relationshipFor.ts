import type { ConsumerContext } from './consumerState.js'
import { establishRelationship } from './establishRelationship.js'
import { getListing } from './getListing.js'
import { rememberRelationship, restoreRelationship } from './savedRelationships.js'
import type { Relationship, SpendLimits } from './types.js'

/**
 * The relationship a tool's calls pay through: the one in force, else one saved by an earlier
 * process that is still good, else a new one negotiated and funded now. Concurrent first calls
 * share one establishment; a failed one is forgotten so the next call tries again.
 */
export function relationshipFor(
  consumer: ConsumerContext,
  toolId: bigint,
  limits: SpendLimits,
): Promise<Relationship> {
  const { relationships } = consumer.state
  const key = toolId.toString()
  let relationship = relationships.get(key)
  if (!relationship) {
    relationship = restoreRelationship(consumer, toolId, limits.budget).then(
      async (found) =>
        found ??
        rememberRelationship(
          consumer,
          await establishRelationship(consumer, {
            candidates: [await getListing(consumer, toolId)],
            target: { toolId },
            ...limits,
          }),
        ),
    )
    relationships.set(key, relationship)
    relationship.catch(() => relationships.delete(key))
  }
  return relationship
}

/**
 * Drops a used-up relationship so the next `relationshipFor` agrees and funds anew. Concurrent
 * calls all find it used up: the first replaces it, the others take the replacement (never
 * delete a newer relationship another call just set).
 */
export async function retireRelationship(
  consumer: ConsumerContext,
  used: Relationship,
): Promise<void> {
  const { relationships } = consumer.state
  const key = used.toolId.toString()
  const stale = relationships.get(key)
  if (
    stale &&
    (await stale.catch(() => undefined))?.channelId === used.channelId &&
    relationships.get(key) === stale
  )
    relationships.delete(key)
}
