import { bigintReplacer } from '@gotong/core'
import type { Address, Hex } from 'viem'
import { SignedReceipt } from '../receipt/signedReceipt.js'
import type {
  PayeeBinding,
  PayeeChannel,
  PayeeClaim,
  PayeeStore,
  PayeeVoucher,
} from '../store/types.js'
import {
  backgroundCheckpoints,
  big,
  openDatabase,
  type SqliteStoreOptions,
  type StoreSchema,
  unbig,
} from './openDatabase.js'
import { turnBatch } from './turnBatch.js'

/** The agreements each channel pays for (one row per channel and agreement). */
const bindingsTable = `CREATE TABLE bindings (
  channel_id TEXT NOT NULL,
  terms_hash TEXT NOT NULL,
  price_per_call TEXT NOT NULL,
  max_calls TEXT NOT NULL,
  valid_until TEXT NOT NULL,
  bound_at INTEGER NOT NULL,
  PRIMARY KEY (channel_id, terms_hash)
) WITHOUT ROWID;`

const schema: StoreSchema = {
  version: 4,
  sql: `
    CREATE TABLE channels (
      channel_id TEXT PRIMARY KEY,
      chain_id INTEGER NOT NULL,
      channels TEXT NOT NULL,
      key_json TEXT NOT NULL,
      terms_hash TEXT NOT NULL,
      price_per_call TEXT NOT NULL,
      max_calls TEXT NOT NULL,
      valid_until TEXT NOT NULL,
      deposit TEXT NOT NULL,
      claimed TEXT NOT NULL,
      status TEXT NOT NULL,
      closes_at TEXT NOT NULL,
      checked_at INTEGER NOT NULL,
      highest_calls TEXT NOT NULL,
      highest_cumulative TEXT NOT NULL
    );
    CREATE TABLE vouchers (
      channel_id TEXT NOT NULL,
      calls INTEGER NOT NULL,
      cumulative TEXT NOT NULL,
      terms_hash TEXT NOT NULL,
      signature TEXT NOT NULL,
      status TEXT NOT NULL,
      request_hash TEXT,
      accepted_at INTEGER NOT NULL,
      settled_at INTEGER,
      receipt_json TEXT,
      response_json TEXT,
      envelope_hash TEXT NOT NULL,
      PRIMARY KEY (channel_id, calls)
    ) WITHOUT ROWID;
    CREATE INDEX vouchers_status ON vouchers (status, channel_id, calls);
    ${bindingsTable}
    CREATE TABLE claims (
      channel_id TEXT NOT NULL,
      cumulative TEXT NOT NULL,
      tx_hash TEXT NOT NULL PRIMARY KEY,
      at INTEGER NOT NULL
    );
  `,
  migrations: {
    // 2: a served call's response is kept, so a retry after a restart is answered from it.
    2: 'ALTER TABLE vouchers ADD COLUMN response_json TEXT;',
    // 3: vouchers bind the request they pay for; older ones were made without one.
    3: `ALTER TABLE vouchers ADD COLUMN envelope_hash TEXT NOT NULL DEFAULT '0x${'0'.repeat(64)}';`,
    // 4: a channel carries several agreements; each channel's one agreement becomes its first.
    4: `${bindingsTable}
      INSERT INTO bindings SELECT channel_id, terms_hash, price_per_call, max_calls, valid_until, checked_at
        FROM channels;`,
  },
}

type ChannelRow = {
  channel_id: string
  chain_id: number
  channels: string
  key_json: string
  terms_hash: string
  price_per_call: string
  max_calls: string
  valid_until: string
  deposit: string
  claimed: string
  status: string
  closes_at: string
  checked_at: number
  highest_calls: string
  highest_cumulative: string
}
type BindingRow = {
  channel_id: string
  terms_hash: string
  price_per_call: string
  max_calls: string
  valid_until: string
  bound_at: number
}
type VoucherRow = {
  channel_id: string
  calls: number
  cumulative: string
  terms_hash: string
  signature: string
  status: string
  request_hash: string | null
  accepted_at: number
  settled_at: number | null
  receipt_json: string | null
  response_json: string | null
  envelope_hash: string
}

/**
 * The payee's channels, accepted vouchers and claims in SQLite (WAL). `acceptVoucher` writes
 * here before the tool runs, so a payee killed at any point neither loses a payment nor serves
 * one twice.
 *
 * @example const store = createSqlitePayeeStore('.gotong/payee.sqlite')
 */
export function createSqlitePayeeStore(path: string, options: SqliteStoreOptions = {}): PayeeStore {
  const db = openDatabase(path, schema, options)
  const q = {
    getChannel: db.prepare('SELECT * FROM channels WHERE channel_id = ?'),
    listChannels: db.prepare('SELECT * FROM channels ORDER BY rowid'),
    saveChannel: db.prepare(
      `INSERT OR REPLACE INTO channels VALUES (@channel_id, @chain_id, @channels, @key_json, @terms_hash,
        @price_per_call, @max_calls, @valid_until, @deposit, @claimed, @status, @closes_at, @checked_at,
        @highest_calls, @highest_cumulative)`,
    ),
    getBinding: db.prepare('SELECT * FROM bindings WHERE channel_id = ? AND terms_hash = ?'),
    listBindings: db.prepare('SELECT * FROM bindings WHERE channel_id = ? ORDER BY bound_at'),
    saveBinding: db.prepare(
      `INSERT OR REPLACE INTO bindings VALUES (@channel_id, @terms_hash, @price_per_call, @max_calls,
        @valid_until, @bound_at)`,
    ),
    countVouchers: db.prepare(
      `SELECT COUNT(*) AS n FROM vouchers WHERE channel_id = ? AND terms_hash = ? AND status != 'rolled_back'`,
    ),
    below: db.prepare(
      'SELECT * FROM vouchers WHERE channel_id = ? AND calls < ? ORDER BY calls DESC LIMIT 1',
    ),
    above: db.prepare(
      'SELECT * FROM vouchers WHERE channel_id = ? AND calls > ? ORDER BY calls LIMIT 1',
    ),
    getVoucher: db.prepare('SELECT * FROM vouchers WHERE channel_id = ? AND calls = ?'),
    saveVoucher: db.prepare(
      `INSERT OR REPLACE INTO vouchers VALUES (@channel_id, @calls, @cumulative, @terms_hash, @signature,
        @status, @request_hash, @accepted_at, @settled_at, @receipt_json, @response_json, @envelope_hash)`,
    ),
    highestCommitted: db.prepare(
      `SELECT * FROM vouchers WHERE channel_id = ? AND status = 'committed' ORDER BY calls DESC LIMIT 1`,
    ),
    listAll: db.prepare('SELECT * FROM vouchers ORDER BY accepted_at, channel_id, calls'),
    listByChannel: db.prepare('SELECT * FROM vouchers WHERE channel_id = ? ORDER BY calls'),
    listByStatus: db.prepare('SELECT * FROM vouchers WHERE status = ? ORDER BY channel_id, calls'),
    saveClaim: db.prepare('INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?)'),
    listClaims: db.prepare('SELECT * FROM claims ORDER BY at'),
    listChannelClaims: db.prepare('SELECT * FROM claims WHERE channel_id = ? ORDER BY at'),
  }
  const batch = turnBatch(db, options)
  const stopCheckpoints = backgroundCheckpoints(db)
  return {
    transaction: batch.transaction,
    durable: batch.durable,
    committed: batch.committed,
    getChannel(channelId) {
      const row = q.getChannel.get(channelId) as ChannelRow | undefined
      return row && toChannel(row)
    },
    listChannels: () => (q.listChannels.all() as ChannelRow[]).map(toChannel),
    saveChannel(c) {
      q.saveChannel.run({
        channel_id: c.channelId,
        chain_id: c.chainId,
        channels: c.channels,
        key_json: JSON.stringify(c.key),
        terms_hash: c.termsHash,
        price_per_call: big(c.pricePerCall),
        max_calls: big(c.maxCalls),
        valid_until: big(c.validUntil),
        deposit: big(c.deposit),
        claimed: big(c.claimed),
        status: c.status,
        closes_at: big(c.closesAt),
        checked_at: c.checkedAt,
        highest_calls: big(c.highestCalls),
        highest_cumulative: big(c.highestCumulative),
      })
    },
    getBinding(channelId, termsHash) {
      const row = q.getBinding.get(channelId, termsHash) as BindingRow | undefined
      return row && toBinding(row)
    },
    listBindings: (channelId) => (q.listBindings.all(channelId) as BindingRow[]).map(toBinding),
    saveBinding(b) {
      q.saveBinding.run({
        channel_id: b.channelId,
        terms_hash: b.termsHash,
        price_per_call: big(b.pricePerCall),
        max_calls: big(b.maxCalls),
        valid_until: big(b.validUntil),
        bound_at: b.boundAt,
      })
    },
    countVouchers: (channelId, termsHash) =>
      BigInt((q.countVouchers.get(channelId, termsHash) as { n: number }).n),
    adjacentVouchers(channelId, calls) {
      const below = q.below.get(channelId, calls) as VoucherRow | undefined
      const above = q.above.get(channelId, calls) as VoucherRow | undefined
      return { below: below && toVoucher(below), above: above && toVoucher(above) }
    },
    getVoucher(channelId, calls) {
      const row = q.getVoucher.get(channelId, calls) as VoucherRow | undefined
      return row && toVoucher(row)
    },
    saveVoucher(v) {
      q.saveVoucher.run({
        channel_id: v.channelId,
        calls: v.calls,
        cumulative: big(v.cumulativeAmount),
        terms_hash: v.termsHash,
        signature: v.signature,
        status: v.status,
        request_hash: v.requestHash ?? null,
        accepted_at: v.acceptedAt,
        settled_at: v.settledAt ?? null,
        receipt_json: v.receipt ? JSON.stringify(v.receipt, bigintReplacer) : null,
        response_json: v.response === undefined ? null : JSON.stringify(v.response),
        envelope_hash: v.envelopeHash,
      })
    },
    highestCommitted(channelId) {
      const row = q.highestCommitted.get(channelId) as VoucherRow | undefined
      return row && toVoucher(row)
    },
    listVouchers(filter = {}) {
      const rows = (
        filter.channelId
          ? q.listByChannel.all(filter.channelId)
          : filter.status
            ? q.listByStatus.all(filter.status)
            : q.listAll.all()
      ) as VoucherRow[]
      return rows.filter((r) => !filter.status || r.status === filter.status).map(toVoucher)
    },
    saveClaim(c) {
      q.saveClaim.run(c.channelId, big(c.cumulativeAmount), c.txHash, c.at)
    },
    listClaims(channelId) {
      const rows = (channelId ? q.listChannelClaims.all(channelId) : q.listClaims.all()) as {
        channel_id: string
        cumulative: string
        tx_hash: string
        at: number
      }[]
      return rows.map(
        (r): PayeeClaim => ({
          channelId: r.channel_id as Hex,
          cumulativeAmount: unbig(r.cumulative),
          txHash: r.tx_hash as Hex,
          at: r.at,
        }),
      )
    },
    close: () => {
      stopCheckpoints()
      try {
        batch.close()
      } finally {
        db.close()
      }
    },
  }
}

function toChannel(row: ChannelRow): PayeeChannel {
  return {
    channelId: row.channel_id as Hex,
    chainId: row.chain_id,
    channels: row.channels as Address,
    key: JSON.parse(row.key_json),
    termsHash: row.terms_hash as Hex,
    pricePerCall: unbig(row.price_per_call),
    maxCalls: unbig(row.max_calls),
    validUntil: unbig(row.valid_until),
    deposit: unbig(row.deposit),
    claimed: unbig(row.claimed),
    status: row.status as PayeeChannel['status'],
    closesAt: unbig(row.closes_at),
    checkedAt: row.checked_at,
    highestCalls: unbig(row.highest_calls),
    highestCumulative: unbig(row.highest_cumulative),
  }
}

function toBinding(row: BindingRow): PayeeBinding {
  return {
    channelId: row.channel_id as Hex,
    termsHash: row.terms_hash as Hex,
    pricePerCall: unbig(row.price_per_call),
    maxCalls: unbig(row.max_calls),
    validUntil: unbig(row.valid_until),
    boundAt: row.bound_at,
  }
}

function toVoucher(row: VoucherRow): PayeeVoucher {
  const receipt: unknown = row.receipt_json ? JSON.parse(row.receipt_json) : undefined
  return {
    channelId: row.channel_id as Hex,
    calls: BigInt(row.calls),
    cumulativeAmount: unbig(row.cumulative),
    termsHash: row.terms_hash as Hex,
    envelopeHash: row.envelope_hash as Hex,
    signature: row.signature as Hex,
    status: row.status as PayeeVoucher['status'],
    requestHash: (row.request_hash ?? undefined) as Hex | undefined,
    acceptedAt: row.accepted_at,
    settledAt: row.settled_at ?? undefined,
    receipt: receipt === undefined ? undefined : SignedReceipt.parse(receipt),
    response: row.response_json === null ? undefined : JSON.parse(row.response_json),
  }
}
