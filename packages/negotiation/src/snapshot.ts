import { NegotiationError } from './errors.js'

const tag = '$bigint'

/**
 * A persisted snapshot (`actor.getPersistedSnapshot()`) as JSON. Negotiations hold bigint
 * amounts, which JSON has no form for; they are written as `{ "$bigint": "123" }`.
 *
 * @example await store.put(id, snapshotToJson(actor.getPersistedSnapshot()))
 */
export function snapshotToJson(snapshot: unknown): string {
  return JSON.stringify(snapshot, (_key, value) =>
    typeof value === 'bigint' ? { [tag]: value.toString() } : value,
  )
}

/**
 * Reads back what `snapshotToJson` wrote, bigints included, ready for
 * `createActor(machine, { snapshot })`.
 *
 * @example const actor = createActor(machine, { snapshot: snapshotFromJson(json), clock })
 */
export function snapshotFromJson<T = unknown>(json: string): T {
  try {
    return JSON.parse(json, (_key, value) => {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const keys = Object.keys(value)
        if (keys.length === 1 && keys[0] === tag && typeof value[tag] === 'string')
          return BigInt(value[tag])
      }
      return value
    }) as T
  } catch (error) {
    throw new NegotiationError('SNAPSHOT_INVALID', 'The negotiation snapshot is not valid JSON', {
      cause: error,
    })
  }
}
