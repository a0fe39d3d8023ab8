import { AsyncLocalStorage } from 'node:async_hooks'
import { randomInt } from 'node:crypto'
import { bigintReplacer } from '@gotong/core'
import pg from 'pg'
import type { Address, Hex } from 'viem'
import { LedgerUnavailableError } from '../errors.js'
import { SignedReceipt } from '../receipt/signedReceipt.js'
import type { AsyncPayeeStore, PayeeChannel, PayeeClaim, PayeeVoucher } from '../store/types.js'

export type PgPayeeStoreOptions = {
  /** `postgresql://user@host:port/database`. */
  url: string
  /**
   * The PostgreSQL schema holding this provider's tables (default `gotong_payee`): replicas of
   * one provider share it; another provider on the same database takes another.
   */
  schema?: string
  /** Connections in the pool (default 10), besides the one that holds this replica's locks. */
  poolSize?: number
}

/** First key of every advisory lock this store takes: gotong's, apart from other users'. */
const lockSpace = 0x67746e67 // 'gtng'
/** Second key of the settler's lock (owners are 1 … 2^31 − 1). */
const settlerKey = 0

/**
 * The payee's channels, vouchers and claims in PostgreSQL, shared by replicas of one provider
 * (same key, same schema). The same guarantees as the SQLite store: a voucher is accepted only
 * above the channel's newest, under a row lock on the channel (`SELECT … FOR UPDATE` in the
 * accept transaction), so replicas racing on one channel never accept the same voucher twice;
 * a commit is on disk once `COMMIT` returns (PostgreSQL flushes concurrent commits' WAL
 * together: its own group commit). Each replica holds an advisory lock for as long as its
 * session lives, naming the calls it is running: a replica killed mid-call leaves pending
 * vouchers that another replica takes over on the payer's retry (`abandoned`).
 *
 * @example const store = await createPgPayeeStore({ url: process.env.GOTONG_LEDGER_URL })
 */
export async function createPgPayeeStore(options: PgPayeeStoreOptions): Promise<AsyncPayeeStore> {
  const schema = options.schema ?? 'gotong_payee'
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new LedgerUnavailableError(
      `The schema name ${JSON.stringify(schema)} is not a plain lowercase identifier.`,
    )
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 })
  // An idle connection dropped by the server is replaced on next use; not a crash.
  pool.on('error', () => undefined)
  const session = new pg.Client({ connectionString: options.url })
  // The session holds this replica's locks. Lost (the server restarted, the network cut), the
  // locks are gone with it: this replica stops settling, and its running calls look abandoned
  // to the others (a retry elsewhere is still charged once; the call may run twice).
  let lost = false
  session.on('error', () => {
    lost = true
  })
  session.on('end', () => {
    lost = true
  })
  const owner = randomInt(1, 2 ** 31 - 1)
  try {
    await session.connect()
    await session.query('SELECT pg_advisory_lock($1, $2)', [lockSpace, owner])
    await createSchema(session, schema)
  } catch (error) {
    await session.end().catch(() => undefined)
    await pool.end().catch(() => undefined)
    throw new LedgerUnavailableError(`Cannot open the payee ledger: ${String(error)}`, {
      cause: error,
    })
  }
  const t = {
    channels: `${schema}.channels`,
    vouchers: `${schema}.vouchers`,
    claims: `${schema}.claims`,
  }
  const inTransaction = new AsyncLocalStorage<pg.PoolClient>()
  // Named statements: each connection parses and plans a query once, not on every call.
  const names = new Map<string, string>()
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => {
    const name = names.get(text) ?? `gotong_payee_${names.size}`
    names.set(text, name)
    return (await (inTransaction.getStore() ?? pool).query<R>({ name, text, values })).rows
  }
  /** Inside a transaction, rows read are locked until it ends. */
  const lock = () => (inTransaction.getStore() ? ' FOR UPDATE' : '')
  const callsText = (calls: bigint) => calls.toString()
  let leading = false

  return {
    async transaction(fn) {
      if (inTransaction.getStore()) return await fn()
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await inTransaction.run(client, fn)
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      } finally {
        client.release()
      }
    },
    async getChannel(channelId) {
      const rows = await query<ChannelRow>(
        `SELECT * FROM ${t.channels} WHERE channel_id = $1${lock()}`,
        [channelId],
      )
      return rows[0] && toChannel(rows[0])
    },
    async listChannels() {
      return (await query<ChannelRow>(`SELECT * FROM ${t.channels} ORDER BY seq`)).map(toChannel)
    },
    async saveChannel(c) {
      // What only rises (the newest voucher, the amount claimed) never falls here, whatever a
      // replica with an older read writes.
      await query(
        `INSERT INTO ${t.channels} (channel_id, chain_id, channels, key_json, terms_hash,
          price_per_call, max_calls, valid_until, deposit, claimed, status, closes_at, checked_at,
          highest_calls, highest_cumulative)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (channel_id) DO UPDATE SET deposit = EXCLUDED.deposit,
          claimed = GREATEST(${t.channels}.claimed, EXCLUDED.claimed), status = EXCLUDED.status,
          closes_at = EXCLUDED.closes_at, checked_at = EXCLUDED.checked_at,
          highest_cumulative = CASE WHEN EXCLUDED.highest_calls >= ${t.channels}.highest_calls
            THEN EXCLUDED.highest_cumulative ELSE ${t.channels}.highest_cumulative END,
          highest_calls = GREATEST(${t.channels}.highest_calls, EXCLUDED.highest_calls)`,
        [
          c.channelId,
          c.chainId,
          c.channels,
          JSON.stringify(c.key),
          c.termsHash,
          c.pricePerCall.toString(),
          c.maxCalls.toString(),
          c.validUntil.toString(),
          c.deposit.toString(),
          c.claimed.toString(),
          c.status,
          c.closesAt.toString(),
          c.checkedAt,
          c.highestCalls.toString(),
          c.highestCumulative.toString(),
        ],
      )
    },
    async getVoucher(channelId, calls) {
      const rows = await query<VoucherRow>(
        `SELECT * FROM ${t.vouchers} WHERE channel_id = $1 AND calls = $2${lock()}`,
        [channelId, callsText(calls)],
      )
      return rows[0] && toVoucher(rows[0])
    },
    async saveVoucher(v) {
      await query(
        `INSERT INTO ${t.vouchers} (channel_id, calls, cumulative, terms_hash, signature, status,
          request_hash, accepted_at, settled_at, receipt_json, response_json, owner, envelope_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (channel_id, calls) DO UPDATE SET cumulative = EXCLUDED.cumulative,
          terms_hash = EXCLUDED.terms_hash, signature = EXCLUDED.signature,
          status = EXCLUDED.status, request_hash = EXCLUDED.request_hash,
          accepted_at = EXCLUDED.accepted_at, settled_at = EXCLUDED.settled_at,
          receipt_json = EXCLUDED.receipt_json, response_json = EXCLUDED.response_json,
          owner = EXCLUDED.owner, envelope_hash = EXCLUDED.envelope_hash`,
        [
          v.channelId,
          callsText(v.calls),
          v.cumulativeAmount.toString(),
          v.termsHash,
          v.signature,
          v.status,
          v.requestHash ?? null,
          v.acceptedAt,
          v.settledAt ?? null,
          v.receipt ? JSON.stringify(v.receipt, bigintReplacer) : null,
          v.response === undefined ? null : JSON.stringify(v.response),
          // The replica running the call: whoever saves a pending voucher runs it.
          owner,
          v.envelopeHash,
        ],
      )
    },
    async highestCommitted(channelId) {
      const rows = await query<VoucherRow>(
        `SELECT * FROM ${t.vouchers} WHERE channel_id = $1 AND status = 'committed'
         ORDER BY calls DESC LIMIT 1`,
        [channelId],
      )
      return rows[0] && toVoucher(rows[0])
    },
    async listVouchers(filter = {}) {
      const where = [
        filter.channelId ? 'channel_id = $1' : undefined,
        filter.status ? `status = $${filter.channelId ? 2 : 1}` : undefined,
      ].filter(Boolean)
      const values = [filter.channelId, filter.status].filter((v) => v !== undefined)
      const order = filter.channelId
        ? 'calls'
        : filter.status
          ? 'channel_id, calls'
          : 'accepted_at, channel_id, calls'
      const rows = await query<VoucherRow>(
        `SELECT * FROM ${t.vouchers}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}`,
        values,
      )
      return rows.map(toVoucher)
    },
    async saveClaim(c) {
      await query(
        `INSERT INTO ${t.claims} VALUES ($1, $2, $3, $4)
         ON CONFLICT (tx_hash) DO UPDATE SET channel_id = EXCLUDED.channel_id,
          cumulative = EXCLUDED.cumulative, at = EXCLUDED.at`,
        [c.channelId, c.cumulativeAmount.toString(), c.txHash, c.at],
      )
    },
    async listClaims(channelId) {
      const rows = await query<{
        channel_id: string
        cumulative: string
        tx_hash: string
        at: string
      }>(
        channelId
          ? `SELECT * FROM ${t.claims} WHERE channel_id = $1 ORDER BY at`
          : `SELECT * FROM ${t.claims} ORDER BY at`,
        channelId ? [channelId] : [],
      )
      return rows.map(
        (r): PayeeClaim => ({
          channelId: r.channel_id as Hex,
          cumulativeAmount: BigInt(r.cumulative),
          txHash: r.tx_hash as Hex,
          at: Number(r.at),
        }),
      )
    },
    async abandoned(voucher) {
      // The owner's advisory lock lives exactly as long as its session: gone, it died.
      const rows = await query<{ gone: boolean }>(
        `SELECT NOT EXISTS (
           SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND l.classid = $3::int::oid AND l.objid = v.owner::oid AND l.objsubid = 2
         ) AS gone
         FROM ${t.vouchers} v WHERE channel_id = $1 AND calls = $2 AND status = 'pending'`,
        [voucher.channelId, callsText(voucher.calls), lockSpace],
      )
      return rows[0]?.gone === true
    },
    async leads() {
      if (lost) return false
      if (leading) return true
      // The settler's lock is per schema: one settler per provider, whatever else shares the server.
      const rows = await session.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1), $2) AS ok',
        [`${lockSpace}:${schema}`, settlerKey],
      )
      leading = rows.rows[0]?.ok === true
      return leading
    },
    async close() {
      await session.end().catch(() => undefined)
      await pool.end()
    },
  }
}

async function createSchema(client: pg.Client, schema: string): Promise<void> {
  await client.query('BEGIN')
  // Replicas starting together: one creates the tables, the others wait and find them.
  await client.query('SELECT pg_advisory_xact_lock($1, $2)', [lockSpace, -1])
  await client.query(`
    CREATE SCHEMA IF NOT EXISTS ${schema};
    CREATE TABLE IF NOT EXISTS ${schema}.channels (
      seq BIGSERIAL,
      channel_id TEXT PRIMARY KEY,
      chain_id INTEGER NOT NULL,
      channels TEXT NOT NULL,
      key_json TEXT NOT NULL,
      terms_hash TEXT NOT NULL,
      price_per_call NUMERIC(78) NOT NULL,
      max_calls NUMERIC(78) NOT NULL,
      valid_until NUMERIC(78) NOT NULL,
      deposit NUMERIC(78) NOT NULL,
      claimed NUMERIC(78) NOT NULL,
      status TEXT NOT NULL,
      closes_at NUMERIC(78) NOT NULL,
      checked_at BIGINT NOT NULL,
      highest_calls NUMERIC(78) NOT NULL,
      highest_cumulative NUMERIC(78) NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${schema}.vouchers (
      channel_id TEXT NOT NULL,
      calls NUMERIC(78) NOT NULL,
      cumulative NUMERIC(78) NOT NULL,
      terms_hash TEXT NOT NULL,
      signature TEXT NOT NULL,
      status TEXT NOT NULL,
      request_hash TEXT,
      accepted_at BIGINT NOT NULL,
      settled_at BIGINT,
      receipt_json TEXT,
      response_json TEXT,
      owner INTEGER NOT NULL,
      PRIMARY KEY (channel_id, calls)
    );
    -- Vouchers bind the request they pay for; those of an older schema were made without one.
    ALTER TABLE ${schema}.vouchers ADD COLUMN IF NOT EXISTS envelope_hash TEXT NOT NULL
      DEFAULT '0x${'0'.repeat(64)}';
    CREATE INDEX IF NOT EXISTS vouchers_status ON ${schema}.vouchers (status, channel_id, calls);
    CREATE TABLE IF NOT EXISTS ${schema}.claims (
      channel_id TEXT NOT NULL,
      cumulative NUMERIC(78) NOT NULL,
      tx_hash TEXT NOT NULL PRIMARY KEY,
      at BIGINT NOT NULL
    );
  `)
  await client.query('COMMIT')
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
  checked_at: string
  highest_calls: string
  highest_cumulative: string
}
type VoucherRow = {
  channel_id: string
  calls: string
  cumulative: string
  terms_hash: string
  signature: string
  status: string
  request_hash: string | null
  accepted_at: string
  settled_at: string | null
  receipt_json: string | null
  response_json: string | null
  envelope_hash: string
}

function toChannel(row: ChannelRow): PayeeChannel {
  return {
    channelId: row.channel_id as Hex,
    chainId: row.chain_id,
    channels: row.channels as Address,
    key: JSON.parse(row.key_json),
    termsHash: row.terms_hash as Hex,
    pricePerCall: BigInt(row.price_per_call),
    maxCalls: BigInt(row.max_calls),
    validUntil: BigInt(row.valid_until),
    deposit: BigInt(row.deposit),
    claimed: BigInt(row.claimed),
    status: row.status as PayeeChannel['status'],
    closesAt: BigInt(row.closes_at),
    checkedAt: Number(row.checked_at),
    highestCalls: BigInt(row.highest_calls),
    highestCumulative: BigInt(row.highest_cumulative),
  }
}

function toVoucher(row: VoucherRow): PayeeVoucher {
  const receipt: unknown = row.receipt_json ? JSON.parse(row.receipt_json) : undefined
  return {
    channelId: row.channel_id as Hex,
    calls: BigInt(row.calls),
    cumulativeAmount: BigInt(row.cumulative),
    termsHash: row.terms_hash as Hex,
    envelopeHash: row.envelope_hash as Hex,
    signature: row.signature as Hex,
    status: row.status as PayeeVoucher['status'],
    requestHash: (row.request_hash ?? undefined) as Hex | undefined,
    acceptedAt: Number(row.accepted_at),
    settledAt: row.settled_at === null ? undefined : Number(row.settled_at),
    receipt: receipt === undefined ? undefined : SignedReceipt.parse(receipt),
    response: row.response_json === null ? undefined : JSON.parse(row.response_json),
  }
}
