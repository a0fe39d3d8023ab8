import { index, onchainTable, primaryKey, sql } from 'ponder'

// The SQLite index's tables (packages/directory/src/node/store.ts), kept by Ponder in
// PostgreSQL: Ponder records every write per block and undoes the writes of reorganized
// blocks, so nothing here tracks block hashes. Strings that came from the chain or from a
// manifest check (URIs, messages, agent names) are stored JSON-encoded: PostgreSQL text cannot
// hold NUL, and a string on chain can.

/** One row per tool: what it is now, and its search projection (as `tools` in SQLite). */
export const tool = onchainTable(
  'tool',
  (t) => ({
    toolId: t.int8({ mode: 'number' }).primaryKey(),
    creator: t.text().notNull(),
    registeredBlock: t.int8({ mode: 'number' }).notNull(),
    predicate: t.text(),
    /** JSON-encoded metadata URI. */
    uri: t.text().notNull(),
    version: t.int8({ mode: 'number' }).notNull(),
    manifestHash: t.text().notNull(),
    deregisteredBlock: t.int8({ mode: 'number' }),
    status: t.text().notNull(),
    reason: t.text(),
    /** JSON-encoded. */
    message: t.text(),
    issues: t.text(),
    /** The manifest's bytes as text, when verified or well formed (hash or creator mismatch). */
    manifest: t.text(),
    /** The first price's amount as a sortable key (`priceKey`). */
    price: t.text().notNull(),
    asset: t.text(),
    /** Distinct FTS5 terms of name, description and tags, when there is a manifest. */
    terms: t.text().array(),
    /** Per term: its BM25 frequency, occurrences weighted by column (name 10, description 1, tags 5). */
    termCounts: t.jsonb().$type<Record<string, number>>(),
    /** Tokens in name, description and tags (BM25's document length). */
    termLength: t.integer(),
  }),
  (table) => ({
    hashIndex: index().on(table.manifestHash),
    priceIndex: index().on(table.price),
    creatorIndex: index().on(table.creator),
    termsIndex: index().using('gin', sql`array_to_tsvector(${table.terms})`),
  }),
)

/** A tool's version lineage. */
export const version = onchainTable(
  'version',
  (t) => ({
    toolId: t.int8({ mode: 'number' }).notNull(),
    version: t.int8({ mode: 'number' }).notNull(),
    manifestHash: t.text().notNull(),
    previousHash: t.text().notNull(),
    /** JSON-encoded metadata URI. */
    uri: t.text().notNull(),
    blockNumber: t.int8({ mode: 'number' }).notNull(),
    transactionHash: t.text().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.toolId, table.version] }) }),
)

/** Every manifest seen for a version, with its verdict (`verifyManifest`). */
export const manifest = onchainTable(
  'manifest',
  (t) => ({
    toolId: t.int8({ mode: 'number' }).notNull(),
    version: t.int8({ mode: 'number' }).notNull(),
    /** `event`: from `ManifestPublished` (the indexer does not fetch URIs). */
    source: t.text().notNull(),
    blockNumber: t.int8({ mode: 'number' }).notNull(),
    status: t.text().notNull(),
    reason: t.text(),
    /** JSON-encoded. */
    message: t.text(),
    issues: t.text(),
    bytes: t.hex(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.toolId, table.version, table.source] }) }),
)

/** Each change of a tool's access predicate. */
export const access = onchainTable(
  'access',
  (t) => ({
    toolId: t.int8({ mode: 'number' }).notNull(),
    blockNumber: t.int8({ mode: 'number' }).notNull(),
    logIndex: t.integer().notNull(),
    predicate: t.text(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.toolId, table.blockNumber, table.logIndex] }),
  }),
)

/** Agent cards as set and cleared; the newest per agent counts. */
export const agentCard = onchainTable(
  'agent_card',
  (t) => ({
    agent: t.text().notNull(),
    blockNumber: t.int8({ mode: 'number' }).notNull(),
    logIndex: t.integer().notNull(),
    /** JSON-encoded, null when cleared. */
    endpoint: t.text(),
    /** JSON-encoded, null when cleared. */
    name: t.text(),
    cardHash: t.text(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.agent, table.blockNumber, table.logIndex] }),
  }),
)

/** A listing's tags. */
export const tag = onchainTable(
  'tag',
  (t) => ({ tag: t.text().notNull(), toolId: t.int8({ mode: 'number' }).notNull() }),
  (table) => ({
    pk: primaryKey({ columns: [table.tag, table.toolId] }),
    toolIndex: index().on(table.toolId),
  }),
)

/** A listing's price in each asset (the first entry per asset). */
export const price = onchainTable(
  'price',
  (t) => ({
    toolId: t.int8({ mode: 'number' }).notNull(),
    asset: t.text().notNull(),
    amount: t.text().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.toolId, table.asset] }),
    assetIndex: index().on(table.asset, table.amount),
  }),
)

/** Listings containing each term (BM25's document frequency). */
export const ftsTerm = onchainTable('fts_term', (t) => ({
  term: t.text().primaryKey(),
  docs: t.integer().notNull(),
}))

/** One row (id 0): listings with search text, their tokens, and directory events applied. */
export const directoryStat = onchainTable('directory_stat', (t) => ({
  id: t.integer().primaryKey(),
  rows: t.int8({ mode: 'number' }).notNull(),
  tokens: t.int8({ mode: 'number' }).notNull(),
  logs: t.int8({ mode: 'number' }).notNull(),
}))
