import type Database from 'better-sqlite3'
import type { SqliteStoreOptions } from './openDatabase.js'

/** A SQLite store's transactions, batched one SQLite transaction per turn of the event loop. */
export type TurnBatch = {
  /** Runs `fn` atomically inside this turn's transaction: if it throws, only its writes go. */
  transaction<T>(fn: () => T): T
  /** Resolves once every write made so far is committed, and synced with `synchronous: 'full'`. */
  durable(): Promise<void>
  /** Resolves once every write made so far is committed (in the WAL: it survives kill -9). */
  committed(): Promise<void>
  /** Commits this turn's transaction now (for `close`), syncing it with `synchronous: 'full'`. */
  close(): void
}

type Turn = { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void }

// Batches still open when the process exits normally are committed then, as their writes
// would have been one by one.
const openBatches = new Set<(force?: boolean) => unknown>()
let exitHook = false

/**
 * Group commit across a whole turn: the first `transaction` of a turn opens one SQLite
 * transaction (`BEGIN`), every call's work runs inside it under its own savepoint, and one
 * `COMMIT` at the end of the turn (`setImmediate`) covers all of them. A commit here is ~38 µs
 * alone against ~7.5 µs each in batches of 16 (see bench/README.md), and reads inside the turn
 * see its uncommitted writes, as they run on the same connection.
 *
 * `durable()` is what lets a result leave the process: it resolves after that turn's `COMMIT`,
 * so nothing waiting on it goes out before its record is in the WAL (survives kill -9). With
 * `synchronous: 'full'` (the default) the connection runs at NORMAL, and a turn with callers
 * waiting on `durable()` ends with one tiny write at FULL: its WAL sync covers every frame
 * before it, so every caller waiting in the same turn shares that one sync.
 */
export function turnBatch(db: Database.Database, options: SqliteStoreOptions = {}): TurnBatch {
  const syncs = options.synchronous !== 'normal'
  let bump: Database.Statement | undefined
  if (syncs) {
    // Created once: a second connection (a reader in another process, say) must not write
    // here, as it would wait on another connection's open turn.
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'durability'").get())
      db.exec(`CREATE TABLE durability (id INTEGER PRIMARY KEY CHECK (id = 1), syncs INTEGER NOT NULL);
        INSERT INTO durability VALUES (1, 0);`)
    bump = db.prepare('UPDATE durability SET syncs = syncs + 1 WHERE id = 1')
    db.pragma('synchronous = NORMAL')
  }
  // IMMEDIATE: the turn takes the write lock at once (waiting on another process's turn up to
  // the busy timeout), so a turn that read first cannot find its snapshot stale when it writes.
  const begin = db.prepare('BEGIN IMMEDIATE')
  const commit = db.prepare('COMMIT')
  const rollback = db.prepare('ROLLBACK')
  const savepoint = db.prepare('SAVEPOINT call')
  const release = db.prepare('RELEASE call')
  const rollbackTo = db.prepare('ROLLBACK TO call')
  let open = false
  let scheduled = false
  // Set when SQLite itself ended the turn's transaction (an I/O error, say): writes already
  // reported done are gone, so whoever waits on `durable()` for this turn hears it.
  let lost: unknown
  // Who waits on this turn: for its sync (`durable`), or for its commit alone (`committed`).
  let turn: Turn | undefined
  let commitTurn: Turn | undefined

  const settle = (error: unknown): unknown => {
    for (const waiting of [turn, commitTurn]) {
      if (error === undefined) waiting?.resolve()
      else waiting?.reject(error)
    }
    turn = undefined
    commitTurn = undefined
    return error
  }

  /** Ends the turn's transaction; returns the error its waiters were told, if any. */
  const flush = (force = false): unknown => {
    scheduled = false
    openBatches.delete(flush)
    const failed = lost
    lost = undefined
    if (!db.open) return settle(failed)
    const wanted = syncs && (turn !== undefined || force)
    if (!open && !wanted) return settle(failed)
    try {
      if (open) commit.run()
      open = false
      if (wanted && bump) {
        // SQLite will not change the safety level inside a transaction, so the sync is one more
        // tiny commit at FULL right after this turn's.
        db.pragma('synchronous = FULL')
        try {
          bump.run()
        } finally {
          db.pragma('synchronous = NORMAL')
        }
      }
      return settle(failed)
    } catch (error) {
      if (db.inTransaction) rollback.run()
      open = false
      return settle(error)
    }
  }

  const schedule = () => {
    if (scheduled) return
    scheduled = true
    openBatches.add(flush)
    if (!exitHook) {
      exitHook = true
      process.on('exit', () => {
        for (const pending of [...openBatches]) pending(true)
      })
    }
    setImmediate(() => flush())
  }

  return {
    transaction<T>(fn: () => T): T {
      if (!open) {
        begin.run()
        open = true
        schedule()
      }
      savepoint.run()
      let result: T
      try {
        result = fn()
      } catch (error) {
        if (db.inTransaction) {
          rollbackTo.run()
          release.run()
        } else {
          lost ??= error
          open = false
        }
        throw error
      }
      release.run()
      return result
    },
    durable() {
      if (!open && !syncs) return Promise.resolve()
      turn ??= newTurn()
      schedule()
      return turn.promise
    },
    committed() {
      if (!open) return Promise.resolve()
      commitTurn ??= newTurn()
      return commitTurn.promise
    },
    close() {
      const error = open || turn !== undefined ? flush(true) : undefined
      openBatches.delete(flush)
      if (error !== undefined) throw error
    },
  }
}

function newTurn(): Turn {
  let resolve = () => {}
  let reject: (error: unknown) => void = () => {}
  const promise = new Promise<void>((yes, no) => {
    resolve = yes
    reject = no
  })
  return { promise, resolve, reject }
}
