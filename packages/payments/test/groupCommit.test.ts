import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, test } from 'vitest'
import { groupCommit, openDatabase } from '../src/node/openDatabase.js'

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
})
