import type { DirectoryIndex } from '@gotong/directory/node'
import type { PayerVoucher } from '@gotong/payments'
import type { Hex } from 'viem'
import { loadRelationships, type SavedRelationship } from './savedRelationships.js'
import type { ChannelAnswer, CreateConsumerParameters, Relationship, Unanswered } from './types.js'

/**
 * Everything the consumer's actions share, in one place: what was approved, the relationships
 * (negotiated, restored or being established), and the calls whose answers are in doubt.
 * Maps keyed by tool id use its decimal string.
 */
export type ConsumerState = {
  /** The manifest hash approved per tool: calls are refused if the chain's differs. */
  approvals: Map<string, Hex>
  /** Per tool, the approved manifest apart from its endpoint (a move is not a change). */
  fingerprints: Map<string, Hex>
  /** The directory index's last sync for version checks, reused for `toolCheckTtlMs`. */
  indexSync: { at: number; done: Promise<unknown> } | undefined
  /** Listings read for version checks, per tool, kept while the index's cursor stays `at`. */
  /**
   * Listings read since the index's cursor was last at `at`; `sync` is the sync after which the
   * cursor was last read (while it is the newest, the cursor is not read again).
   */
  listings: {
    at: string
    sync?: ConsumerState['indexSync']
    byTool: Map<string, ReturnType<DirectoryIndex['getListing']>>
  }
  /** Tool names by id, for request hashes: a renamed tool is a changed tool (`TOOL_CHANGED`). */
  names: Map<string, string>
  /** The relationship per tool, settled or being established. */
  relationships: Map<string, Promise<Relationship>>
  /** The relationship chosen per negotiated capability (manifest tag). */
  capabilities: Map<string, Promise<Relationship>>
  /** Relationships saved by this or an earlier process, newest per tool. */
  saved: Map<string, SavedRelationship>
  /** Relationships taken from the file, not negotiated by this process. */
  restored: WeakSet<Relationship>
  /** Per channel, signed vouchers an earlier process left unanswered, lowest first. */
  carried: Map<Hex, PayerVoucher[]>
  /** Every unanswered call per channel, oldest first. */
  inDoubt: Map<Hex, Unanswered[]>
  /** The resolution of a channel's unanswered calls under way: one at a time per channel. */
  resolving: Map<Hex, Promise<void>>
  /**
   * Answers that came back when an unanswered call was re-sent, by request: the caller saw
   * `TOOL_UNAVAILABLE`, so its retry (the same request) gets this answer instead of paying again.
   */
  recovered: Map<Hex, ChannelAnswer[]>
  /** Agreed negotiations stay active (their agreements expire on timers) until the agent stops. */
  actors: Set<{ stop(): void }>
  /** Channel transactions from one wallet go one at a time (permit and account nonces). */
  chainQueue: Promise<unknown>
}

/** What every consumer action takes: its dependencies, its clock and the shared state. */
export type ConsumerContext = Readonly<CreateConsumerParameters> & {
  readonly clock: () => number
  readonly state: ConsumerState
}

/** A consumer's context with fresh state (and the relationships saved on disk, if any). */
export function createConsumerContext(parameters: CreateConsumerParameters): ConsumerContext {
  const state: ConsumerState = {
    approvals: new Map(),
    fingerprints: new Map(),
    indexSync: undefined,
    listings: { at: '', byTool: new Map() },
    names: new Map(),
    relationships: new Map(),
    capabilities: new Map(),
    saved: loadRelationships(parameters.relationshipsFile),
    restored: new WeakSet(),
    carried: new Map(),
    inDoubt: new Map(),
    resolving: new Map(),
    recovered: new Map(),
    actors: new Set(),
    chainQueue: Promise.resolve(),
  }
  return { ...parameters, clock: parameters.now ?? Date.now, state }
}

/** Takes the first of a key's queue, dropping the key once its queue is empty. */
export function takeFirst<K, V>(queues: Map<K, V[]>, key: K): V | undefined {
  const queue = queues.get(key)
  const first = queue?.shift()
  if (queue?.length === 0) queues.delete(key)
  return first
}
