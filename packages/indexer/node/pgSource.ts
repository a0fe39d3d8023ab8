import {
  ftsPhrases,
  type Listing,
  type ParsedSearchParameters,
  priceKey,
  type RankedRow,
  type SearchSource,
  type ToolRow,
  type VersionRow,
} from '@gotong/directory/node'
import { type Hex, hexToBytes } from 'viem'
import { decodeText } from './textCodec.js'

/** Anything that runs a parameterized query: a `pg` client inside the search's transaction. */
export type Queryable = {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>
}

const toolColumns = `t.tool_id, t.creator, t.registered_block, t.predicate, t.uri, t.version,
  t.manifest_hash, t.deregistered_block, t.status, t.reason, t.message, t.issues, t.manifest, t.price`

/** A `tool` row as the SQLite index's `tools` row, which `toListing` reads. */
function toToolRow(row: Record<string, unknown>): ToolRow {
  return {
    tool_id: Number(row.tool_id),
    creator: row.creator as string,
    registered_block: Number(row.registered_block),
    predicate: row.predicate as string | null,
    uri: decodeText(row.uri as string),
    version: Number(row.version),
    manifest_hash: row.manifest_hash as string,
    deregistered_block: row.deregistered_block === null ? null : Number(row.deregistered_block),
    status: row.status as ToolRow['status'],
    reason: row.reason as string | null,
    message: decodeText(row.message as string | null),
    issues: row.issues as string | null,
    manifest: row.manifest as string | null,
  }
}

/** SQL text and its `$n` values, built together. */
function builder() {
  const values: unknown[] = []
  return {
    values,
    /** A placeholder for `value`. */
    p(value: unknown, cast = '') {
      values.push(value)
      return `$${values.length}${cast}`
    },
  }
}

/** A tsquery literal requiring every term (FTS5 tokens have no quote or backslash, but still). */
function tsquery(terms: readonly string[]): string {
  return terms.map((term) => `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`).join(' & ')
}

/**
 * The indexer's PostgreSQL tables as a search source, answering what the SQLite index answers
 * (`queryRows`, `queryOffers` there), row for row:
 *
 * - text matches every word's FTS5 terms through the GIN-indexed `array_to_tsvector(terms)`,
 *   and ranks by FTS5's own BM25, computed from the same statistics with the same floating-point
 *   steps (PostgreSQL's `ln` is the C library's `log`, as in SQLite), so relevance is equal;
 * - prices compare as `priceKey` text in byte order (`COLLATE "C"`, SQLite's BINARY).
 *
 * Two differences, both outside what agents search with: a word FTS5 splits into several tokens
 * (characters its unicode61 tables call separators) matches them anywhere, not as a phrase,
 * and ranks by its first token; and past 256 text matches the SQLite index ranks a window
 * first, which can order ties at the window's edge differently.
 */
export function pgSource(db: Queryable): SearchSource {
  function visible(p: ParsedSearchParameters): string[] {
    return [
      p.includeUnverified ? undefined : "t.status = 'verified'",
      p.includeDeregistered ? undefined : 't.deregistered_block IS NULL',
    ].filter((clause): clause is string => clause !== undefined)
  }

  /** BM25 as FTS5 computes it (`fts5Bm25Function`), for phrases of one term each. */
  async function scoreSql(terms: string[], q: ReturnType<typeof builder>) {
    const stat = await db.query<{ rows: string; tokens: string; idf: number[] }>(
      `SELECT s.rows, s.tokens, ARRAY(
         SELECT CASE WHEN v <= 0 THEN 1e-6::float8 ELSE v END FROM (
           SELECT ln(((s.rows - coalesce(f.docs, 0))::float8 + 0.5::float8)
                     / (coalesce(f.docs, 0)::float8 + 0.5::float8)) AS v, u.o
           FROM unnest($1::text[]) WITH ORDINALITY AS u(term, o)
           LEFT JOIN fts_term f ON f.term = u.term) x ORDER BY x.o) AS idf
       FROM directory_stat s WHERE s.id = 0`,
      [terms],
    )
    const { rows, tokens, idf } = stat.rows[0] ?? { rows: '0', tokens: '0', idf: [] }
    const avgdl = Number(tokens) / Number(rows)
    const k1 = q.p(1.2, '::float8')
    const b = q.p(0.75, '::float8')
    const norm = `(1::float8 - ${b} + ${b} * t.term_length::float8 / ${q.p(avgdl, '::float8')})`
    const parts = terms.map((term, i) => {
      const f = `coalesce((t.term_counts ->> ${q.p(term, '::text')})::float8, 0::float8)`
      return `${q.p(idf[i], '::float8')} * ((${f} * (${k1} + 1.0::float8)) / (${f} + ${k1} * ${norm}))`
    })
    return `(-1.0::float8 * (0.0::float8 + ${parts.join(' + ')}))`
  }

  return {
    async rows(p, page): Promise<RankedRow[]> {
      const q = builder()
      const where = visible(p)
      let join = ''
      let price = 't.price'
      if (p.asset) {
        join = ` JOIN price p ON p.tool_id = t.tool_id AND p.asset = ${q.p(p.asset)}`
        price = 'p.amount'
      }
      if (p.maxPrice !== undefined)
        where.push(`${price} COLLATE "C" <= ${q.p(priceKey(p.maxPrice))} COLLATE "C"`)
      if (p.creator) where.push(`t.creator = ${q.p(p.creator.toLowerCase())}`)
      for (const name of p.tags ?? [])
        where.push(
          `EXISTS (SELECT 1 FROM tag g WHERE g.tag = ${q.p(name)} AND g.tool_id = t.tool_id)`,
        )
      let score = 'NULL::float8'
      if (p.text !== undefined) {
        const phrases = ftsPhrases(p.text).filter((tokens) => tokens.length > 0)
        if (phrases.length) {
          where.push(`array_to_tsvector(t.terms) @@ ${q.p(tsquery(phrases.flat()))}::tsquery`)
          score = await scoreSql(
            phrases.map((tokens) => tokens[0]!),
            q,
          )
        } else if (ftsPhrases(p.text).length) return []
      }
      const order = score === 'NULL::float8' ? '' : 'score, '
      const result = await db.query<{ tool_id: string; manifest_hash: string; score: number }>(
        `SELECT t.tool_id, t.manifest_hash, ${score} AS score FROM tool t${join}
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY ${order}${price} COLLATE "C", t.tool_id
         LIMIT ${q.p(page.count)} OFFSET ${q.p(page.offset)}`,
        q.values,
      )
      return result.rows.map((row) => ({
        tool_id: Number(row.tool_id),
        manifest_hash: row.manifest_hash,
        score: row.score,
      }))
    },

    async offers(p, hashes) {
      if (!hashes.length) return []
      const q = builder()
      const where = [...visible(p), `t.manifest_hash = ANY(${q.p(hashes)}::text[])`]
      if (p.creator) where.push(`t.creator = ${q.p(p.creator.toLowerCase())}`)
      const result = await db.query(
        `SELECT ${toolColumns} FROM tool t WHERE ${where.join(' AND ')}
         ORDER BY (t.status = 'verified') DESC, t.price COLLATE "C", t.tool_id`,
        q.values,
      )
      return result.rows.map(toToolRow)
    },

    async agents(creators) {
      const agents = new Map<string, Listing['agent']>()
      if (!creators.length) return agents
      for (const creator of creators) agents.set(creator, undefined)
      const result = await db.query<{
        agent: string
        endpoint: string | null
        name: string | null
        card_hash: string | null
      }>(
        `SELECT DISTINCT ON (agent) agent, endpoint, name, card_hash FROM agent_card
         WHERE agent = ANY($1::text[]) ORDER BY agent, block_number DESC, log_index DESC`,
        [creators],
      )
      for (const row of result.rows) {
        const endpoint = decodeText(row.endpoint)
        const name = decodeText(row.name)
        agents.set(
          row.agent,
          endpoint && name && row.card_hash
            ? { endpoint, name, cardHash: row.card_hash as Hex }
            : undefined,
        )
      }
      return agents
    },

    async tool(rowId) {
      const result = await db.query(`SELECT ${toolColumns} FROM tool t WHERE t.tool_id = $1`, [
        rowId,
      ])
      const row = result.rows[0]
      return row ? toToolRow(row) : undefined
    },

    async versions(rowId) {
      const versions = await db.query<Record<string, unknown>>(
        'SELECT * FROM version WHERE tool_id = $1 ORDER BY version',
        [rowId],
      )
      const manifests = await db.query<Record<string, unknown>>(
        'SELECT version, source, status, reason, message, bytes FROM manifest WHERE tool_id = $1',
        [rowId],
      )
      return versions.rows.map(
        (v): VersionRow => ({
          version: Number(v.version),
          manifest_hash: v.manifest_hash as string,
          previous_hash: v.previous_hash as string,
          uri: decodeText(v.uri as string),
          block_number: Number(v.block_number),
          transaction_hash: v.transaction_hash as string,
          manifests: manifests.rows
            .filter((m) => Number(m.version) === Number(v.version))
            .map((m) => ({
              source: m.source as string,
              status: m.status as 'verified' | 'unverified',
              reason: m.reason as VersionRow['manifests'][number]['reason'],
              message: decodeText(m.message as string | null),
              bytes: typeof m.bytes === 'string' ? hexToBytes(m.bytes as Hex) : null,
            })),
        }),
      )
    },
  }
}
