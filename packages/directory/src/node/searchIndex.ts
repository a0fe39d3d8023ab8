import { parseWith } from '@gotong/core'
import type { Address, Hex } from 'viem'
import { type CheckAccessReturnType, checkAccess } from '../actions/checkAccess.js'
import {
  type GetAccessRequirementsReturnType,
  getAccessRequirements,
} from '../actions/getAccessRequirements.js'
import type { DirectoryReadClient } from '../internal/readClient.js'
import { ToolIdInput } from '../internal/schemas.js'
import type { UnverifiedReason } from '../verifyManifest.js'
import { type Listing, type ToolRow, toListing } from './listing.js'
import { queryOffers, queryRows, SearchParameters } from './searchQuery.js'
import type { statementCache } from './store.js'
import { toRowId } from './writer.js'

/** One search hit: a tool, and every listing of the same manifest (competing offers). */
export type SearchResult = {
  /** The best offer: verified first, then cheapest, then oldest. */
  listing: Listing
  /** All offers of this manifest hash, `listing` first. */
  offers: Listing[]
  /** BM25 text relevance (lower is better), or null without `text`. */
  relevance: number | null
}

/** One version in a tool's lineage. */
export type VersionRecord = {
  version: bigint
  manifestHash: Hex
  /** Zero hash for version 1. */
  previousManifestHash: Hex
  metadataURI: string
  blockNumber: bigint
  transactionHash: Hex
  status: 'verified' | 'unverified'
  unverified: { reason: UnverifiedReason; message: string } | undefined
}

/** What search needs from the index around it. */
export type SearchContext = {
  client: DirectoryReadClient
  address: Address
  sql: ReturnType<typeof statementCache>
  cursor(): { blockNumber: bigint }
  ready(): Promise<{ chainId: number }>
}

/**
 * Search and lookups over the index. Predicate answers (`accessibleTo`) and requirements are
 * asked at the indexed block and cached until the index moves on.
 */
export function createSearch(context: SearchContext) {
  const { client, address, sql, cursor } = context
  const accessCache = new Map<string, Promise<CheckAccessReturnType>>()
  const requirementsCache = new Map<string, Promise<GetAccessRequirementsReturnType>>()
  let cacheBlock = -1n

  function agentOf(creator: string, cache: Map<string, Listing['agent']>): Listing['agent'] {
    if (cache.has(creator)) return cache.get(creator)
    const row = sql(
      'SELECT endpoint, name, card_hash FROM agents WHERE agent = ? ORDER BY block_number DESC, log_index DESC LIMIT 1',
    ).get(creator) as
      | { endpoint: string | null; name: string | null; card_hash: string | null }
      | undefined
    const agent =
      row?.endpoint && row.name && row.card_hash
        ? { endpoint: row.endpoint, name: row.name, cardHash: row.card_hash as Hex }
        : undefined
    cache.set(creator, agent)
    return agent
  }

  /** Per-block caches: a verdict read at one indexed block holds until the index moves on. */
  function cachesAt(block: bigint) {
    if (block !== cacheBlock) {
      accessCache.clear()
      requirementsCache.clear()
      cacheBlock = block
    }
  }

  async function search(input: SearchParameters = {}): Promise<SearchResult[]> {
    const p = parseWith(SearchParameters, input, 'search parameters')
    const { chainId: id } = await context.ready()
    const limit = p.limit ?? 20
    const at = cursor().blockNumber
    cachesAt(at)
    const agents = new Map<string, Listing['agent']>()
    const listing = (row: ToolRow) =>
      toListing(row, { chainId: id, address, agent: agentOf(row.creator, agents) })
    const results: SearchResult[] = []
    const seen = new Set<string>()
    // One manifest listed twice takes two rows for one result: a few spare rows usually do.
    const pageSize = limit + 5
    let offset = 0
    pages: for (;;) {
      const rows = queryRows(sql, p, { offset, count: pageSize })
      offset += rows.length
      const fresh = rows.filter((row) => {
        if (seen.has(row.manifest_hash)) return false
        seen.add(row.manifest_hash)
        return true
      })
      const offers = new Map<string, ToolRow[]>()
      for (const row of queryOffers(
        sql,
        p,
        fresh.map((r) => r.manifest_hash),
      )) {
        const group = offers.get(row.manifest_hash) ?? []
        group.push(row)
        offers.set(row.manifest_hash, group)
      }
      for (const row of fresh) {
        let group = (offers.get(row.manifest_hash) ?? []).map(listing)
        if (p.accessibleTo) group = await accessible(group, p.accessibleTo, at)
        if (!group.length) continue
        results.push({ listing: group[0]!, offers: group, relevance: row.score })
        if (results.length === limit) break pages
      }
      if (rows.length < pageSize) break
    }
    if (p.requirements !== false) await attachRequirements(results, at)
    return results
  }

  async function accessible(offers: Listing[], account: Address, at: bigint) {
    const checked = await Promise.all(
      offers.map(async (offer) => {
        if (!offer.access.predicate || offer.deregistered) {
          if (!offer.deregistered)
            offer.access.check = { account, status: 'granted', ok: true, granted: true }
          return offer
        }
        const key = `${offer.toolId}:${account}`
        let verdict = accessCache.get(key)
        if (!verdict) {
          verdict = checkAccess(client, {
            address,
            toolId: offer.toolId,
            account,
            blockNumber: at,
          })
          accessCache.set(key, verdict)
          verdict.catch(() => accessCache.delete(key))
        }
        offer.access.check = { account, ...(await verdict) }
        return offer
      }),
    )
    return checked.filter((offer) => offer.access.check && offer.access.check.status !== 'denied')
  }

  async function attachRequirements(results: SearchResult[], at: bigint) {
    const gated = results
      .flatMap((r) => r.offers)
      .filter((o) => o.access.predicate && !o.deregistered)
    await Promise.all(
      gated.map(async (offer) => {
        const key = `${offer.toolId}:${offer.access.predicate}`
        let requirements = requirementsCache.get(key)
        if (!requirements) {
          requirements = getAccessRequirements(client, {
            address,
            toolId: offer.toolId,
            predicate: offer.access.predicate,
            blockNumber: at,
          })
          requirementsCache.set(key, requirements)
          requirements.catch(() => requirementsCache.delete(key))
        }
        offer.access.requirements = await requirements
      }),
    )
  }

  async function getListing(toolId: bigint | number | string) {
    const { chainId: id } = await context.ready()
    const rowId = toRowId(parseWith(ToolIdInput, toolId, 'tool id'))
    const row =
      rowId === undefined
        ? undefined
        : (sql('SELECT * FROM tools WHERE tool_id = ?').get(rowId) as ToolRow | undefined)
    if (!row) return undefined
    const versions = (
      sql('SELECT * FROM versions WHERE tool_id = ? ORDER BY version').all(rowId) as {
        version: number
        manifest_hash: string
        previous_hash: string
        uri: string
        block_number: number
        transaction_hash: string
      }[]
    ).map((v): VersionRecord => {
      const manifests = sql(
        'SELECT source, status, reason, message FROM manifests WHERE tool_id = ? AND version = ?',
      ).all(rowId, v.version) as {
        source: string
        status: 'verified' | 'unverified'
        reason: UnverifiedReason | null
        message: string | null
      }[]
      const pick =
        manifests.find((m) => m.status === 'verified') ??
        manifests.find((m) => m.source === 'event') ??
        manifests[0]
      return {
        version: BigInt(v.version),
        manifestHash: v.manifest_hash as Hex,
        previousManifestHash: v.previous_hash as Hex,
        metadataURI: v.uri,
        blockNumber: BigInt(v.block_number),
        transactionHash: v.transaction_hash as Hex,
        status: pick?.status ?? 'unverified',
        unverified:
          pick?.status === 'verified'
            ? undefined
            : {
                reason: pick?.reason ?? 'no_manifest',
                message: pick?.message ?? 'no manifest bytes are known for this version yet',
              },
      }
    })
    return {
      ...toListing(row, { chainId: id, address, agent: agentOf(row.creator, new Map()) }),
      versions,
    }
  }

  return {
    search,
    getListing,
    /** Drops cached predicate answers (after a reorg). */
    forget() {
      accessCache.clear()
      requirementsCache.clear()
    },
  }
}
