import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, test } from 'vitest'
import { backgroundCheckpoints, groupCommit, openDatabase } from '../src/node/openDatabase.js'

const dir = mkdtempSync(join(tmpdir(), 'gotong-group-commit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const schema = { version: 1, sql: 'CREATE TABLE t (n INTEGER PRIMARY KEY);' }
const syncsIn = (path: string) => {
  const db = new Database(path, { readonly: true })
  try {
    return (db.prepare('SELECT syncs FROM durability').get() as { syncs: number }).syncs
  } finally {
    db.close()
  }
}

describe('group commit', () => {
  test('callers waiting at the same moment share one sync, made at FULL; later callers get their own', async () => {
    const path = join(dir, 'full.sqlite')
    const db = openDatabase(path, schema)
    const durable = groupCommit(db)
    expect(db.pragma('synchronous', { simple: true })).toBe(1) // NORMAL between syncs
    const insert = db.prepare('INSERT INTO t VALUES (?)')
    await Promise.all(
      Array.from({ length: 50 }, async (_, n) => {
        db.transaction(() => insert.run(n))()
        await durable()
      }),
    )
    expect(syncsIn(path)).toBe(1)
    db.transaction(() => insert.run(50))()
    await durable()
    expect(syncsIn(path)).toBe(2)
    expect(db.pragma('synchronous', { simple: true })).toBe(1)
    expect((db.prepare('SELECT count(*) AS c FROM t').get() as { c: number }).c).toBe(51)
    db.close()
  })

  test("with synchronous 'normal' nothing is synced and durable() resolves at once", async () => {
    const path = join(dir, 'normal.sqlite')
    const db = openDatabase(path, schema, { synchronous: 'normal' })
    await groupCommit(db, { synchronous: 'normal' })()
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'durability'").get()).toBe(
      undefined,
    )
    db.close()
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
    expect(statSync(path).size).toBeGreaterThan(before)
    stop()
    db.close()
  })
})
