import { parseWith, type ToolManifest } from '@gotong/core'
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
import { type ParsedSearchParameters, type RankedRow, SearchParameters } from './searchQuery.js'
import { toRowId } from './writer/writerState.js'

const decoder = new TextDecoder()

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
  /**
   * The version's manifest when it is verified and its bytes are kept (the SQLite index keeps
   * them; the indexer's answers leave it out): what `gotong tool --versions` compares.
   */
  manifest?: ToolManifest
}

/** A `versions` row with the verdicts of the manifests known for it. */
export type VersionRow = {
  version: number
  manifest_hash: string
  previous_hash: string
  uri: string
  block_number: number
  transaction_hash: string
  manifests: {
    source: string
    status: 'verified' | 'unverified'
    reason: UnverifiedReason | null
    message: string | null
    /** The manifest's bytes, when the source keeps them. */
    bytes?: Uint8Array | null
  }[]
}

/**
 * Where search reads its rows: the SQLite index, or the indexer's PostgreSQL. Both answer the
 * same queries with the same rows, so ranking, grouping and predicate checks are shared.
 */
export type SearchSource = {
  /** Ranked hits of one page (see `queryRows`). */
  rows(p: ParsedSearchParameters, page: { offset: number; count: number }): Promise<RankedRow[]>
  /** Every visible listing of these manifest hashes, best offer first (see `queryOffers`). */
  offers(p: ParsedSearchParameters, hashes: readonly string[]): Promise<ToolRow[]>
  /** The newest complete agent card of each creator (lowercase addresses). */
  agents(creators: readonly string[]): Promise<Map<string, Listing['agent']>>
  /** One `tools` row. */
  tool(rowId: number): Promise<ToolRow | undefined>
  /** A tool's versions, oldest first. */
  versions(rowId: number): Promise<VersionRow[]>
}

/** What search needs around it: the chain (for predicates) and the directory. */
export type SearchContext = {
  client: DirectoryReadClient
  address: Address
  ready(): Promise<{ chainId: number }>
}

/**
 * Search and lookups over an index. Predicate answers (`accessibleTo`) and requirements are
 * asked at the indexed block `at` and cached until the index moves on.
 */
export function createSearch(context: SearchContext) {
  const { client, address } = context
  const accessCache = new Map<string, Promise<CheckAccessReturnType>>()
  const requirementsCache = new Map<string, Promise<GetAccessRequirementsReturnType>>()
  let cacheBlock = -1n

  /** Per-block caches: a verdict read at one indexed block holds until the index moves on. */
  function cachesAt(block: bigint) {
    if (block !== cacheBlock) {
      accessCache.clear()
      requirementsCache.clear()
      cacheBlock = block
    }
  }

  async function search(
    source: SearchSource,
    at: () => bigint,
    input: SearchParameters = {},
  ): Promise<SearchResult[]> {
    const p = parseWith(SearchParameters, input, 'search parameters')
    const { chainId: id } = await context.ready()
    const limit = p.limit ?? 20
    const block = at()
    cachesAt(block)
    const results: SearchResult[] = []
    const seen = new Set<string>()
    // One manifest listed twice takes two rows for one result: a few spare rows usually do.
    const pageSize = limit + 5
    let offset = 0
    pages: for (;;) {
      const rows = await source.rows(p, { offset, count: pageSize })
      offset += rows.length
      const fresh = rows.filter((row) => {
        if (seen.has(row.manifest_hash)) return false
        seen.add(row.manifest_hash)
        return true
      })
      const offers = new Map<string, ToolRow[]>()
      for (const row of await source.offers(
        p,
        fresh.map((r) => r.manifest_hash),
      )) {
        const group = offers.get(row.manifest_hash) ?? []
        group.push(row)
        offers.set(row.manifest_hash, group)
      }
      const agents = await source.agents([
        ...new Set([...offers.values()].flat().map((row) => row.creator)),
      ])
      const listing = (row: ToolRow) =>
        toListing(row, { chainId: id, address, agent: agents.get(row.creator) })
      for (const row of fresh) {
        let group = (offers.get(row.manifest_hash) ?? []).map(listing)
        if (p.accessibleTo) group = await accessible(group, p.accessibleTo, block)
        if (!group.length) continue
        results.push({ listing: group[0]!, offers: group, relevance: row.score })
        if (results.length === limit) break pages
      }
      if (rows.length < pageSize) break
    }
    if (p.requirements !== false) await attachRequirements(results, block)
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

  async function getListing(source: SearchSource, toolId: bigint | number | string) {
    const rowId = toRowId(parseWith(ToolIdInput, toolId, 'tool id'))
    const { chainId: id } = await context.ready()
    const row = rowId === undefined ? undefined : await source.tool(rowId)
    if (!row || rowId === undefined) return undefined
    const versions = (await source.versions(rowId)).map((v): VersionRecord => {
      const pick =
        v.manifests.find((m) => m.status === 'verified') ??
        v.manifests.find((m) => m.source === 'event') ??
        v.manifests[0]
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
        ...(pick?.status === 'verified' && pick.bytes
          ? { manifest: JSON.parse(decoder.decode(pick.bytes)) as ToolManifest }
          : {}),
      }
    })
    const agents = await source.agents([row.creator])
    return {
      ...toListing(row, { chainId: id, address, agent: agents.get(row.creator) }),
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
