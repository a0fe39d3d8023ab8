import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, test } from 'vitest'
import { backgroundCheckpoints, openDatabase } from '../src/node/openDatabase.js'
import { turnBatch } from '../src/node/turnBatch.js'

const dir = mkdtempSync(join(tmpdir(), 'gotong-group-commit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const schema = { version: 1, sql: 'CREATE TABLE t (n INTEGER PRIMARY KEY);' }
/** What another connection (another process) finds in the file. */
const fromOutside = <T>(path: string, sql: string): T => {
  const db = new Database(path, { readonly: true })
  try {
    return db.prepare(sql).get() as T
  } finally {
    db.close()
  }
}
const syncsIn = (path: string) =>
  fromOutside<{ syncs: number }>(path, 'SELECT syncs FROM durability').syncs
const rowsIn = (path: string) =>
  fromOutside<{ rows: string | null }>(path, 'SELECT group_concat(n) AS rows FROM t').rows

describe('group commit, one transaction per turn', () => {
  test('callers of one turn share one commit and one sync, made at FULL; later callers get their own', async () => {
    const path = join(dir, 'full.sqlite')
    const db = openDatabase(path, schema)
    const batch = turnBatch(db)
    expect(db.pragma('synchronous', { simple: true })).toBe(1) // NORMAL between syncs
    const insert = db.prepare('INSERT INTO t VALUES (?)')
    const waits = Array.from({ length: 50 }, (_, n) => {
      batch.transaction(() => insert.run(n))
      return batch.durable()
    })
    // Written on this connection, not yet committed: another one does not see them yet.
    expect((db.prepare('SELECT count(*) AS c FROM t').get() as { c: number }).c).toBe(50)
    expect(rowsIn(path)).toBe(null)
    await Promise.all(waits)
    expect(syncsIn(path)).toBe(1)
    expect(rowsIn(path)?.split(',')).toHaveLength(50)
    batch.transaction(() => insert.run(50))
    await batch.durable()
    expect(syncsIn(path)).toBe(2)
    expect(db.pragma('synchronous', { simple: true })).toBe(1)
    batch.close()
    db.close()
  })

  test('a call that throws midway takes back its own writes only, and the turn still commits', async () => {
    const path = join(dir, 'savepoints.sqlite')
    const db = openDatabase(path, schema)
    const batch = turnBatch(db)
    const insert = db.prepare('INSERT INTO t VALUES (?)')
    batch.transaction(() => insert.run(1))
    expect(() =>
      batch.transaction(() => {
        insert.run(2)
        batch.transaction(() => insert.run(3))
        insert.run(1) // a duplicate key: this call fails after three writes
      }),
    ).toThrow(/UNIQUE/)
    batch.transaction(() => {
      insert.run(4)
      // The inner call fails after its first write; the outer one catches that and goes on.
      expect(() =>
        batch.transaction(() => {
          insert.run(5)
          insert.run(4)
        }),
      ).toThrow(/UNIQUE/)
      insert.run(6)
    })
    await batch.durable()
    expect(rowsIn(path)).toBe('1,4,6')
    batch.close()
    db.close()
  })

  test("with synchronous 'normal' nothing is synced, and durable() waits for the turn's commit", async () => {
    const path = join(dir, 'normal.sqlite')
    const db = openDatabase(path, schema, { synchronous: 'normal' })
    const batch = turnBatch(db, { synchronous: 'normal' })
    batch.transaction(() => db.prepare('INSERT INTO t VALUES (7)').run())
    expect(rowsIn(path)).toBe(null)
    await batch.durable()
    expect(rowsIn(path)).toBe('7')
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'durability'").get()).toBe(
      undefined,
    )
    batch.close()
    db.close()
  })

  test('close() commits and syncs what the turn wrote', () => {
    const path = join(dir, 'close.sqlite')
    const db = openDatabase(path, schema)
    const batch = turnBatch(db)
    batch.transaction(() => db.prepare('INSERT INTO t VALUES (8)').run())
    batch.close()
    db.close()
    expect(rowsIn(path)).toBe('8')
    expect(syncsIn(path)).toBe(1)
  })

  test('a new file is created without a sync, and every file opens at the level asked for', () => {
    const levels = (path: string, synchronous?: 'normal') => {
      const db = openDatabase(path, schema, synchronous ? { synchronous } : {})
      const level = db.pragma('synchronous', { simple: true })
      const mode = db.pragma('journal_mode', { simple: true })
      db.close()
      return [level, mode]
    }
    const full = join(dir, 'levels-full.sqlite')
    const normal = join(dir, 'levels-normal.sqlite')
    // 2 is FULL, 1 NORMAL: new, then reopened.
    expect([levels(full), levels(full)]).toEqual([
      [2, 'wal'],
      [2, 'wal'],
    ])
    expect([levels(normal, 'normal'), levels(normal, 'normal')]).toEqual([
      [1, 'wal'],
      [1, 'wal'],
    ])
    expect(fromOutside<{ user_version: number }>(full, 'PRAGMA user_version').user_version).toBe(1)
  })

  test('background checkpoints move the WAL into the database file on their timer, not in a commit', async () => {
    const path = join(dir, 'checkpoints.sqlite')
    const db = openDatabase(path, schema, { synchronous: 'normal' })
    const stop = backgroundCheckpoints(db, 50)
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000)
    const before = statSync(path).size
    const insert = db.prepare('INSERT INTO t VALUES (?)')
    for (let n = 0; n < 2_000; n++) db.transaction(() => insert.run(n))()
    // Committed to the WAL only: the database file has not grown.
    expect(statSync(path).size).toBe(before)
    await new Promise((resolve) => setTimeout(resolve, 200))
    const checkpointed = statSync(path).size
    expect(checkpointed).toBeGreaterThan(before)
    // Idle timers skip a WAL already checkpointed; the next writes are checkpointed all the same.
    await new Promise((resolve) => setTimeout(resolve, 200))
    for (let n = 2_000; n < 4_000; n++) db.transaction(() => insert.run(n))()
    expect(statSync(path).size).toBe(checkpointed)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(statSync(path).size).toBeGreaterThan(checkpointed)
    stop()
    db.close()
  })
})
