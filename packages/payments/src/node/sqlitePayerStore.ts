import { bigintReplacer } from '@gotong/core'
import type { Address, Hex } from 'viem'
import { SignedReceipt } from '../receipt/signedReceipt.js'
import type { PayerChannel, PayerStore, PayerVoucher } from '../store/types.js'
import {
  backgroundCheckpoints,
  big,
  openDatabase,
  type SqliteStoreOptions,
  type StoreSchema,
  unbig,
} from './openDatabase.js'
import { turnBatch } from './turnBatch.js'

// Reusable vouchers are found through a partial index: it holds failed vouchers only (a few),
// so the vouchers every call inserts and updates never touch it, and the lookup is one seek
// whatever the channel's history (version 1 indexed every voucher by status).
const reusableIndex = `CREATE INDEX vouchers_reusable ON vouchers (channel_id, terms_hash, amount, calls)
      WHERE status = 'failed';`

const schema: StoreSchema = {
  version: 3,
  sql: `
    CREATE TABLE channels (
      channel_id TEXT PRIMARY KEY,
      chain_id INTEGER NOT NULL,
      channels TEXT NOT NULL,
      key_json TEXT NOT NULL,
      deposit TEXT NOT NULL,
      cumulative TEXT NOT NULL,
      calls TEXT NOT NULL,
      status TEXT NOT NULL,
      opened_at INTEGER NOT NULL
    );
    CREATE TABLE vouchers (
      channel_id TEXT NOT NULL,
      calls INTEGER NOT NULL,
      cumulative TEXT NOT NULL,
      amount TEXT NOT NULL,
      terms_hash TEXT NOT NULL,
      signature TEXT,
      status TEXT NOT NULL,
      issued_at INTEGER NOT NULL,
      request_hash TEXT,
      receipt_json TEXT,
      envelope_hash TEXT NOT NULL,
      PRIMARY KEY (channel_id, calls)
    ) WITHOUT ROWID;
    ${reusableIndex}
  `,
  migrations: {
    2: `DROP INDEX vouchers_failed; ${reusableIndex}`,
    // 3: vouchers bind the request they pay for; older ones were made without one.
    3: `ALTER TABLE vouchers ADD COLUMN envelope_hash TEXT NOT NULL DEFAULT '0x${'0'.repeat(64)}';`,
  },
}

type ChannelRow = {
  channel_id: string
  chain_id: number
  channels: string
  key_json: string
  deposit: string
  cumulative: string
  calls: string
  status: string
  opened_at: number
}
type VoucherRow = {
  channel_id: string
  calls: number | bigint
  cumulative: string
  amount: string
  terms_hash: string
  signature: string | null
  status: string
  issued_at: number
  request_hash: string | null
  receipt_json: string | null
  envelope_hash: string
}

/**
 * The payer's vouchers and channel totals in SQLite (WAL). A voucher is recorded here before
 * it is signed and handed out, so a restarted payer never signs a lower or duplicate amount.
 *
 * @example const store = createSqlitePayerStore('.gotong/payer.sqlite')
 */
export function createSqlitePayerStore(path: string, options: SqliteStoreOptions = {}): PayerStore {
  const db = openDatabase(path, schema, options)
  const batch = turnBatch(db, options)
  const stopCheckpoints = backgroundCheckpoints(db)
  db.defaultSafeIntegers(false)
  const q = {
    getChannel: db.prepare('SELECT * FROM channels WHERE channel_id = ?'),
    listChannels: db.prepare('SELECT * FROM channels ORDER BY opened_at'),
    saveChannel: db.prepare(
      `INSERT INTO channels VALUES (@channel_id, @chain_id, @channels, @key_json, @deposit, @cumulative, @calls, @status, @opened_at)
       ON CONFLICT (channel_id) DO UPDATE SET deposit = excluded.deposit, cumulative = excluded.cumulative,
         calls = excluded.calls, status = excluded.status`,
    ),
    getVoucher: db.prepare('SELECT * FROM vouchers WHERE channel_id = ? AND calls = ?'),
    saveVoucher: db.prepare(
      `INSERT INTO vouchers VALUES (@channel_id, @calls, @cumulative, @amount, @terms_hash, @signature, @status, @issued_at, @request_hash, @receipt_json, @envelope_hash)
       ON CONFLICT (channel_id, calls) DO UPDATE SET signature = excluded.signature, status = excluded.status,
         request_hash = excluded.request_hash, receipt_json = excluded.receipt_json,
         envelope_hash = excluded.envelope_hash, cumulative = excluded.cumulative,
         amount = excluded.amount, terms_hash = excluded.terms_hash, issued_at = excluded.issued_at`,
    ),
    findReusable: db.prepare(
      `SELECT * FROM vouchers INDEXED BY vouchers_reusable
       WHERE channel_id = ? AND terms_hash = ? AND amount = ? AND status = 'failed' ORDER BY calls LIMIT 1`,
    ),
    countVouchers: db.prepare(
      `SELECT COUNT(*) AS n FROM vouchers WHERE channel_id = ? AND terms_hash = ? AND status != 'failed'`,
    ),
    listVouchers: db.prepare('SELECT * FROM vouchers ORDER BY issued_at, channel_id, calls'),
    // By status: a scan inside SQLite, parsing only the rows that match (no index, which every
    // call's insert and update would have to keep).
    listByStatus: db.prepare(
      'SELECT * FROM vouchers WHERE status = ? ORDER BY issued_at, channel_id, calls',
    ),
    listChannelByStatus: db.prepare(
      'SELECT * FROM vouchers WHERE channel_id = ? AND status = ? ORDER BY calls',
    ),
    listChannelVouchers: db.prepare('SELECT * FROM vouchers WHERE channel_id = ? ORDER BY calls'),
  }
  return {
    transaction: batch.transaction,
    durable: batch.durable,
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
        deposit: big(c.deposit),
        cumulative: big(c.cumulative),
        calls: big(c.calls),
        status: c.status,
        opened_at: c.openedAt,
      })
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
        amount: big(v.amount),
        terms_hash: v.termsHash,
        signature: v.signature ?? null,
        status: v.status,
        issued_at: v.issuedAt,
        request_hash: v.requestHash ?? null,
        receipt_json: v.receipt ? JSON.stringify(v.receipt, bigintReplacer) : null,
        envelope_hash: v.envelopeHash,
      })
    },
    countVouchers: (channelId, termsHash) =>
      BigInt((q.countVouchers.get(channelId, termsHash) as { n: number }).n),
    findReusable(channelId, termsHash, amount) {
      const row = q.findReusable.get(channelId, termsHash, big(amount)) as VoucherRow | undefined
      return row && toVoucher(row)
    },
    listVouchers: (channelId, status) =>
      (
        (status
          ? channelId
            ? q.listChannelByStatus.all(channelId, status)
            : q.listByStatus.all(status)
          : channelId
            ? q.listChannelVouchers.all(channelId)
            : q.listVouchers.all()) as VoucherRow[]
      ).map(toVoucher),
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

function toChannel(row: ChannelRow): PayerChannel {
  return {
    channelId: row.channel_id as Hex,
    chainId: row.chain_id,
    channels: row.channels as Address,
    key: JSON.parse(row.key_json),
    deposit: unbig(row.deposit),
    cumulative: unbig(row.cumulative),
    calls: unbig(row.calls),
    status: row.status as PayerChannel['status'],
    openedAt: row.opened_at,
  }
}

function toVoucher(row: VoucherRow): PayerVoucher {
  const receipt: unknown = row.receipt_json ? JSON.parse(row.receipt_json) : undefined
  return {
    channelId: row.channel_id as Hex,
    calls: BigInt(row.calls),
    cumulativeAmount: unbig(row.cumulative),
    amount: unbig(row.amount),
    termsHash: row.terms_hash as Hex,
    envelopeHash: row.envelope_hash as Hex,
    signature: (row.signature ?? undefined) as Hex | undefined,
    status: row.status as PayerVoucher['status'],
    issuedAt: row.issued_at,
    requestHash: (row.request_hash ?? undefined) as Hex | undefined,
    receipt: receipt === undefined ? undefined : SignedReceipt.parse(receipt),
  }
}
