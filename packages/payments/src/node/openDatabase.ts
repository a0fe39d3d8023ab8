import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { StoreError } from '../errors.js'

/** Options shared by gotong's SQLite stores. */
export type SqliteStoreOptions = {
  /**
   * `full` (default) syncs the write-ahead log on every commit, so an accepted voucher survives
   * power loss; `normal` survives a crashed or killed process only, and is ~7× faster here.
   */
  synchronous?: 'full' | 'normal'
}

/**
 * A store's schema: `sql` creates the current version in a new file; `migrations[v]` takes a
 * file at version v − 1 to v.
 */
export type StoreSchema = { version: number; sql: string; migrations?: Record<number, string> }

/** Opens (creating) a WAL-mode SQLite database and creates or migrates its schema. */
export function openDatabase(
  path: string,
  schema: StoreSchema,
  options: SqliteStoreOptions = {},
): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  const version = db.pragma('user_version', { simple: true }) as number
  const synchronous = options.synchronous === 'normal' ? 'NORMAL' : 'FULL'
  // A new file holds nothing to lose, so its creation (the switch to WAL, the schema) waits
  // for no disk sync; the first commit at the level asked for syncs it with itself.
  db.pragma(`synchronous = ${version === 0 ? 'OFF' : synchronous}`)
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 5000')
  if (version > schema.version) {
    db.close()
    throw new StoreError(
      `${path} was written by a newer gotong (store version ${version}; this one knows ${schema.version}).`,
    )
  }
  if (version < schema.version) {
    db.transaction(() => {
      if (version === 0) db.exec(schema.sql)
      else
        for (let v = version + 1; v <= schema.version; v++) {
          const step = schema.migrations?.[v]
          if (step === undefined)
            throw new StoreError(`No migration of ${path} from version ${v - 1} to ${v}.`)
          db.exec(step)
        }
      db.pragma(`user_version = ${schema.version}`)
    })()
  }
  db.pragma(`synchronous = ${synchronous}`)
  return db
}

/** bigint ↔ TEXT: SQLite integers stop at 2^63, token amounts do not. */
export const big = (value: bigint): string => value.toString()
export const unbig = (value: unknown): bigint => BigInt(value as string)

/**
 * Moves WAL checkpoints off the hot path: SQLite's automatic one runs inside whichever commit
 * crosses 1,000 WAL pages (adding ~40 µs to every commit here, amortized). Instead a timer
 * checkpoints every `everyMs`, writing each page changed since once however often it changed,
 * and the automatic checkpoint stays as a backstop at 10,000 pages. Returns the stop function
 * for the store's `close()`.
 */
export function backgroundCheckpoints(db: Database.Database, everyMs = 1_000): () => void {
  db.pragma('wal_autocheckpoint = 10000')
  const changes = db.prepare('SELECT total_changes()').pluck()
  // Rows this connection had changed when the WAL was last wholly checkpointed: a store that
  // wrote nothing since is skipped (a thousand idle agents' stores each cost a checkpoint call a
  // second, 8 % of the swarm bench's process).
  let clean: unknown
  const timer = setInterval(() => {
    // Not inside a turn's open transaction (SQLite refuses it there); the next timer does it.
    if (!db.open || db.inTransaction) return
    const before = changes.get()
    if (before === clean) return
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[]
    clean = result && result.log === result.checkpointed ? before : undefined
  }, everyMs)
  timer.unref()
  return () => clearInterval(timer)
}
