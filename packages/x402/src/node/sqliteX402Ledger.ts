import { SignedX402Receipt } from '@gotong/core'
import { openDatabase, type SqliteStoreOptions } from '@gotong/payments/node'
import type { Address, Hex } from 'viem'
import type { X402Ledger, X402Payment } from '../ledger/types.js'

const schema = {
  version: 1,
  sql: `
    CREATE TABLE payments (
      direction TEXT NOT NULL,
      payer TEXT NOT NULL,
      nonce TEXT NOT NULL,
      payee TEXT NOT NULL,
      network TEXT NOT NULL,
      asset TEXT NOT NULL,
      amount TEXT NOT NULL,
      resource TEXT NOT NULL,
      tool TEXT,
      request_hash TEXT,
      status TEXT NOT NULL,
      tx TEXT,
      receipt TEXT,
      failure TEXT,
      created_at INTEGER NOT NULL,
      settled_at INTEGER,
      PRIMARY KEY (direction, payer, nonce)
    );
    CREATE INDEX payments_by_time ON payments (direction, created_at);
  `,
}

type Row = {
  direction: X402Payment['direction']
  payer: string
  nonce: string
  payee: string
  network: string
  asset: string
  amount: string
  resource: string
  tool: string | null
  request_hash: string | null
  status: X402Payment['status']
  tx: string | null
  receipt: string | null
  failure: string | null
  created_at: number
  settled_at: number | null
}

/**
 * The x402 ledger in SQLite (WAL; `synchronous: 'full'` by default, so a reserved nonce
 * survives power loss before the call it pays for runs).
 *
 * @example const ledger = createSqliteX402Ledger(join(store, 'x402.sqlite'))
 */
export function createSqliteX402Ledger(path: string, options: SqliteStoreOptions = {}): X402Ledger {
  const db = openDatabase(path, schema, options)
  const insert = db.prepare(`
    INSERT OR IGNORE INTO payments
      (direction, payer, nonce, payee, network, asset, amount, resource, tool, request_hash, status, created_at)
    VALUES (@direction, @payer, @nonce, @payee, @network, @asset, @amount, @resource, @tool, @request_hash, 'reserved', @created_at)`)
  const settle = db.prepare(`
    UPDATE payments SET status = 'settled', tx = @tx, receipt = @receipt, settled_at = @settled_at, failure = NULL
    WHERE direction = @direction AND payer = @payer AND nonce = @nonce`)
  const fail = db.prepare(`
    UPDATE payments SET status = 'failed', failure = @failure
    WHERE direction = @direction AND payer = @payer AND nonce = @nonce AND status <> 'settled'`)
  const get = db.prepare('SELECT * FROM payments WHERE direction = ? AND payer = ? AND nonce = ?')
  const key = (k: { direction: string; payer: Address; authorizationNonce: Hex }) => ({
    direction: k.direction,
    payer: k.payer.toLowerCase(),
    nonce: k.authorizationNonce.toLowerCase(),
  })
  return {
    reserve: (payment) =>
      insert.run({
        ...key(payment),
        payee: payment.payee.toLowerCase(),
        network: payment.network,
        asset: payment.asset.toLowerCase(),
        amount: payment.amount.toString(),
        resource: payment.resource,
        tool: payment.tool ?? null,
        request_hash: payment.requestHash ?? null,
        created_at: payment.createdAt,
      }).changes === 1,
    settle: (k, outcome) => {
      settle.run({
        ...key(k),
        tx: outcome.transaction,
        receipt: outcome.receipt ? JSON.stringify(outcome.receipt, bigintText) : null,
        settled_at: outcome.settledAt,
      })
    },
    fail: (k, reason) => {
      fail.run({ ...key(k), failure: reason })
    },
    get: (k) => {
      const row = get.get(...Object.values(key(k))) as Row | undefined
      return row && toPayment(row)
    },
    list: (filter = {}) => {
      const where: string[] = []
      if (filter.direction) where.push('direction = @direction')
      if (filter.status) where.push('status = @status')
      const rows = db
        .prepare(
          `SELECT * FROM payments ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, rowid`,
        )
        .all(filter) as Row[]
      return rows.map(toPayment)
    },
    close: () => db.close(),
  }
}

function toPayment(row: Row): X402Payment {
  return {
    direction: row.direction,
    payer: row.payer as Address,
    payee: row.payee as Address,
    authorizationNonce: row.nonce as Hex,
    network: row.network,
    asset: row.asset as Address,
    amount: BigInt(row.amount),
    resource: row.resource,
    tool: row.tool ?? undefined,
    requestHash: (row.request_hash ?? undefined) as Hex | undefined,
    status: row.status,
    transaction: (row.tx ?? undefined) as Hex | undefined,
    receipt: row.receipt ? SignedX402Receipt.parse(JSON.parse(row.receipt)) : undefined,
    failure: row.failure ?? undefined,
    createdAt: row.created_at,
    settledAt: row.settled_at ?? undefined,
  }
}

function bigintText(_key: string, value: unknown) {
  return typeof value === 'bigint' ? value.toString() : value
}
