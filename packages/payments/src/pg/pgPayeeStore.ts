import { AsyncLocalStorage } from 'node:async_hooks'
import { randomInt } from 'node:crypto'
import { bigintReplacer } from '@gotong/core'
import pg from 'pg'
import type { Hex } from 'viem'
import { LedgerUnavailableError } from '../errors.js'
import type { AsyncPayeeStore, PayeeClaim } from '../store/types.js'
import {
  type BindingRow,
  type ChannelRow,
  createSchema,
  lockSpace,
  toBinding,
  toChannel,
  toVoucher,
  type VoucherRow,
} from './pgPayeeSchema.js'

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
    bindings: `${schema}.bindings`,
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
    async getBinding(channelId, termsHash) {
      const rows = await query<BindingRow>(
        `SELECT * FROM ${t.bindings} WHERE channel_id = $1 AND terms_hash = $2`,
        [channelId, termsHash],
      )
      return rows[0] && toBinding(rows[0])
    },
    async listBindings(channelId) {
      const rows = await query<BindingRow>(
        `SELECT * FROM ${t.bindings} WHERE channel_id = $1 ORDER BY bound_at, terms_hash`,
        [channelId],
      )
      return rows.map(toBinding)
    },
    async saveBinding(b) {
      // Terms never change once bound: a second bind of the same terms is the same binding.
      await query(
        `INSERT INTO ${t.bindings} VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (channel_id, terms_hash) DO NOTHING`,
        [
          b.channelId,
          b.termsHash,
          b.pricePerCall.toString(),
          b.maxCalls.toString(),
          b.validUntil.toString(),
          b.boundAt,
        ],
      )
    },
    async countVouchers(channelId, termsHash) {
      const rows = await query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM ${t.vouchers}
         WHERE channel_id = $1 AND terms_hash = $2 AND status <> 'rolled_back'`,
        [channelId, termsHash],
      )
      return BigInt(rows[0]?.n ?? 0)
    },
    async adjacentVouchers(channelId, calls) {
      const [below, above] = await Promise.all([
        query<VoucherRow>(
          `SELECT * FROM ${t.vouchers} WHERE channel_id = $1 AND calls < $2 ORDER BY calls DESC LIMIT 1`,
          [channelId, callsText(calls)],
        ),
        query<VoucherRow>(
          `SELECT * FROM ${t.vouchers} WHERE channel_id = $1 AND calls > $2 ORDER BY calls LIMIT 1`,
          [channelId, callsText(calls)],
        ),
      ])
      return {
        below: below[0] && toVoucher(below[0]),
        above: above[0] && toVoucher(above[0]),
      }
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
