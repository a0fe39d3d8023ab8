import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'

/** Options shared by gotong's SQLite stores. */
export type SqliteStoreOptions = {
  /**
   * `full` (default) syncs the write-ahead log on every commit, so an accepted voucher survives
   * power loss; `normal` survives a crashed or killed process only, and is ~7× faster here.
   */
  synchronous?: 'full' | 'normal'
}

/** Opens (creating) a WAL-mode SQLite database and applies `schema` once per version. */
export function openDatabase(
  path: string,
  schema: { version: number; sql: string },
  options: SqliteStoreOptions = {},
): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
  db.pragma('busy_timeout = 5000')
  const version = db.pragma('user_version', { simple: true }) as number
  if (version < schema.version) {
    db.transaction(() => {
      db.exec(schema.sql)
      db.pragma(`user_version = ${schema.version}`)
    })()
  }
  return db
}

/** bigint ↔ TEXT: SQLite integers stop at 2^63, token amounts do not. */
export const big = (value: bigint): string => value.toString()
export const unbig = (value: unknown): bigint => BigInt(value as string)
