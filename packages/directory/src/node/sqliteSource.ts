import type { Hex } from 'viem'
import type { Listing, ToolRow } from './listing.js'
import type { SearchSource, VersionRow } from './searchIndex.js'
import { queryOffers, queryRows } from './searchQuery.js'
import type { statementCache } from './store.js'

/** The SQLite index's tables as a search source. */
export function sqliteSource(sql: ReturnType<typeof statementCache>): SearchSource {
  return {
    rows: async (p, page) => queryRows(sql, p, page),
    offers: async (p, hashes) => queryOffers(sql, p, hashes),
    async agents(creators) {
      const agents = new Map<string, Listing['agent']>()
      for (const creator of creators) {
        const row = sql(
          'SELECT endpoint, name, card_hash FROM agents WHERE agent = ? ORDER BY block_number DESC, log_index DESC LIMIT 1',
        ).get(creator) as
          | { endpoint: string | null; name: string | null; card_hash: string | null }
          | undefined
        agents.set(
          creator,
          row?.endpoint && row.name && row.card_hash
            ? { endpoint: row.endpoint, name: row.name, cardHash: row.card_hash as Hex }
            : undefined,
        )
      }
      return agents
    },
    tool: async (rowId) =>
      sql('SELECT * FROM tools WHERE tool_id = ?').get(rowId) as ToolRow | undefined,
    async versions(rowId) {
      const versions = sql('SELECT * FROM versions WHERE tool_id = ? ORDER BY version').all(
        rowId,
      ) as Omit<VersionRow, 'manifests'>[]
      return versions.map((v) => ({
        ...v,
        manifests: sql(
          'SELECT source, status, reason, message, bytes FROM manifests WHERE tool_id = ? AND version = ?',
        ).all(rowId, v.version) as VersionRow['manifests'],
      }))
    },
  }
}
