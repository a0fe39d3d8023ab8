import Database from 'better-sqlite3'
import { IndexMismatchError } from '../errors.js'

/** The FTS5 tokenizer of the search text; the indexer tokenizes with it too (`ftsTerms`). */
export const ftsTokenizer = 'porter unicode61 remove_diacritics 2'

/** Bumped when the tables change shape; an index of another version is rebuilt. */
export const storeVersion = '2'

const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tools (
  tool_id INTEGER PRIMARY KEY,
  creator TEXT NOT NULL,
  registered_block INTEGER NOT NULL,
  predicate TEXT,
  uri TEXT NOT NULL,
  version INTEGER NOT NULL,
  manifest_hash TEXT NOT NULL,
  deregistered_block INTEGER,
  status TEXT NOT NULL DEFAULT 'unverified',
  reason TEXT,
  message TEXT,
  issues TEXT,
  manifest TEXT,
  name TEXT,
  price TEXT NOT NULL DEFAULT '',
  asset TEXT
);
CREATE INDEX IF NOT EXISTS tools_hash ON tools (manifest_hash);
CREATE INDEX IF NOT EXISTS tools_price ON tools (price);
CREATE INDEX IF NOT EXISTS tools_creator ON tools (creator);
CREATE INDEX IF NOT EXISTS tools_fetch_failed ON tools (tool_id) WHERE reason = 'fetch_failed';
CREATE TABLE IF NOT EXISTS versions (
  tool_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  manifest_hash TEXT NOT NULL,
  previous_hash TEXT NOT NULL,
  uri TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  transaction_hash TEXT NOT NULL,
  PRIMARY KEY (tool_id, version)
);
CREATE INDEX IF NOT EXISTS versions_block ON versions (block_number);
CREATE TABLE IF NOT EXISTS manifests (
  tool_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  source TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  message TEXT,
  issues TEXT,
  bytes BLOB,
  fetched_at INTEGER,
  PRIMARY KEY (tool_id, version, source)
);
CREATE INDEX IF NOT EXISTS manifests_block ON manifests (block_number);
CREATE TABLE IF NOT EXISTS access (
  tool_id INTEGER NOT NULL,
  block_number INTEGER NOT NULL,
  log_index INTEGER NOT NULL,
  predicate TEXT,
  PRIMARY KEY (tool_id, block_number, log_index)
);
CREATE INDEX IF NOT EXISTS access_block ON access (block_number);
CREATE TABLE IF NOT EXISTS agents (
  agent TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  log_index INTEGER NOT NULL,
  endpoint TEXT,
  name TEXT,
  card_hash TEXT,
  PRIMARY KEY (agent, block_number, log_index)
);
CREATE INDEX IF NOT EXISTS agents_block ON agents (block_number);
CREATE TABLE IF NOT EXISTS tags (tag TEXT NOT NULL, tool_id INTEGER NOT NULL, PRIMARY KEY (tag, tool_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tags_tool ON tags (tool_id);
CREATE TABLE IF NOT EXISTS prices (
  tool_id INTEGER NOT NULL,
  asset TEXT NOT NULL,
  amount TEXT NOT NULL,
  PRIMARY KEY (tool_id, asset)
);
CREATE INDEX IF NOT EXISTS prices_asset ON prices (asset, amount);
CREATE VIRTUAL TABLE IF NOT EXISTS tools_fts USING fts5(
  name, description, tags, tokenize = '${ftsTokenizer}'
);
`

/** What an index file was built for; a file built for anything else is refused. */
export type StoreIdentity = { chainId: number; address: string; fromBlock: bigint }

/**
 * Opens (or creates) the index database: WAL, so searches read while the indexer writes, and
 * `synchronous = NORMAL`, which in WAL mode loses at most the last transactions on power loss,
 * never consistency (the cursor is written in the same transaction as the rows).
 */
export function openStore(path: string): Database.Database {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('temp_store = MEMORY')
  db.pragma('cache_size = -65536')
  const version = readMeta(db, 'store_version')
  if (version !== undefined && version !== storeVersion) {
    db.exec(`DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS blocks; DROP TABLE IF EXISTS tools;
      DROP TABLE IF EXISTS versions; DROP TABLE IF EXISTS manifests; DROP TABLE IF EXISTS access;
      DROP TABLE IF EXISTS agents; DROP TABLE IF EXISTS tags; DROP TABLE IF EXISTS prices;
      DROP TABLE IF EXISTS tools_fts;`)
  }
  db.exec(schema)
  writeMeta(db, 'store_version', storeVersion)
  return db
}

/** Records what the store indexes, or checks it against what it was built for. */
export function claimStore(db: Database.Database, path: string, identity: StoreIdentity): void {
  const wanted: Record<string, string> = {
    chain_id: String(identity.chainId),
    address: identity.address.toLowerCase(),
    from_block: String(identity.fromBlock),
  }
  for (const [key, value] of Object.entries(wanted)) {
    const stored = readMeta(db, key)
    if (stored === undefined) writeMeta(db, key, value)
    else if (stored !== value)
      throw new IndexMismatchError(path, key.replace('_', ' '), stored, value)
  }
}

export function readMeta(db: Database.Database, key: string): string | undefined {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'")
    .get()
  if (!exists) return undefined
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
    | { value: string }
    | undefined
  return row?.value
}

export function writeMeta(db: Database.Database, key: string, value: string): void {
  db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(key, value)
}

/** Prepared statements, compiled once per SQL text. */
export function statementCache(db: Database.Database) {
  const cache = new Map<string, Database.Statement>()
  return (sql: string): Database.Statement => {
    let statement = cache.get(sql)
    if (!statement) {
      statement = db.prepare(sql)
      cache.set(sql, statement)
    }
    return statement
  }
}
