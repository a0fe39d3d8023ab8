import { bigintReplacer, gotongDomain, hashAgreement, SignedAgreement } from '@gotong/core'
import pg from 'pg'
import type { Hex } from 'viem'
import { LedgerUnavailableError } from '../errors.js'

export type PgAgreementStoreOptions = {
  /** `postgresql://user@host:port/database`. */
  url: string
  /** The schema of the provider's payee ledger: its replicas share it. */
  schema: string
  /** Connections in the pool (default 4): negotiations are rare next to calls. */
  poolSize?: number
}

/** What replicas of one provider share besides vouchers: agreements and running negotiations. */
export type PgAgreementStore = {
  /** Records a countersigned agreement under its termsHash (a second write of it is a no-op). */
  saveAgreement(signed: SignedAgreement): Promise<void>
  /** The agreement with this termsHash, whichever replica countersigned it. */
  getAgreement(termsHash: Hex): Promise<SignedAgreement | undefined>
  /**
   * Runs one step of a negotiation with its saved state (undefined for a new one) under a row
   * lock, so replicas take its messages one at a time, and saves the state `step` returns in
   * the same transaction.
   */
  negotiation<T>(
    cfpId: Hex,
    step: (saved: string | undefined) => Promise<{ state: string; result: T }>,
  ): Promise<T>
  /**
   * Runs `fn` holding a lock the replicas share, named `name` (the publish of one tool, say), so
   * two replicas starting at once do not both do it; a replica that dies lets it go.
   */
  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T>
  close(): Promise<void>
}

/**
 * Agreements and negotiation sessions in the provider's PostgreSQL ledger, beside its vouchers
 * (same schema): any replica serves a call, binds a channel or answers the next negotiation
 * message under terms another replica agreed. An agreement is stored with the tool, version,
 * price and consumer it binds in columns of their own, and checked against its termsHash on
 * every read, so a row cannot name terms other than those the hash commits to.
 *
 * @example const agreements = await createPgAgreementStore({ url, schema: 'payee_ab12…' })
 */
export async function createPgAgreementStore(
  options: PgAgreementStoreOptions,
): Promise<PgAgreementStore> {
  const { schema } = options
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new LedgerUnavailableError(
      `The schema name ${JSON.stringify(schema)} is not a plain lowercase identifier.`,
    )
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 4 })
  pool.on('error', () => undefined)
  const t = { agreements: `${schema}.agreements`, negotiations: `${schema}.negotiations` }
  try {
    const client = await pool.connect()
    try {
      // Replicas starting together race to create the tables: one at a time.
      await client.query('BEGIN')
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`gotong ${schema}`])
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
      await client.query(`CREATE TABLE IF NOT EXISTS ${t.agreements} (
        terms_hash text PRIMARY KEY,
        registry text NOT NULL,
        tool_id numeric NOT NULL,
        manifest_hash text NOT NULL,
        consumer text NOT NULL,
        price_per_call numeric NOT NULL,
        max_calls numeric NOT NULL,
        valid_until numeric NOT NULL,
        signed jsonb NOT NULL,
        saved_at timestamptz NOT NULL DEFAULT now())`)
      await client.query(`CREATE TABLE IF NOT EXISTS ${t.negotiations} (
        cfp_id text PRIMARY KEY,
        state text,
        updated_at timestamptz NOT NULL DEFAULT now())`)
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  } catch (error) {
    await pool.end().catch(() => undefined)
    throw new LedgerUnavailableError(`Cannot open the agreements ledger: ${String(error)}`, {
      cause: error,
    })
  }

  return {
    async saveAgreement(signed) {
      const a = signed.agreement
      await pool.query(
        `INSERT INTO ${t.agreements} (terms_hash, registry, tool_id, manifest_hash, consumer,
          price_per_call, max_calls, valid_until, signed)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (terms_hash) DO NOTHING`,
        [
          signed.termsHash.toLowerCase(),
          a.registry.toLowerCase(),
          a.toolId.toString(),
          a.manifestHash.toLowerCase(),
          a.consumer.toLowerCase(),
          a.pricePerCall.toString(),
          a.maxCalls.toString(),
          a.validUntil.toString(),
          JSON.stringify(signed, bigintReplacer),
        ],
      )
    },
    async getAgreement(termsHash) {
      const { rows } = await pool.query<{ signed: unknown }>(
        `SELECT signed FROM ${t.agreements} WHERE terms_hash = $1`,
        [termsHash.toLowerCase()],
      )
      if (!rows[0]) return undefined
      const parsed = SignedAgreement.safeParse(rows[0].signed)
      if (!parsed.success) return undefined
      const signed = parsed.data
      // The hash names the terms: a row whose terms hash to something else is not this agreement.
      const hash = hashAgreement(
        signed.agreement,
        gotongDomain({ chainId: signed.chainId, verifyingContract: signed.verifyingContract }),
      )
      return hash.toLowerCase() === termsHash.toLowerCase() ? signed : undefined
    },
    async negotiation(cfpId, step) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const id = cfpId.toLowerCase()
        await client.query(
          `INSERT INTO ${t.negotiations} (cfp_id) VALUES ($1) ON CONFLICT (cfp_id) DO NOTHING`,
          [id],
        )
        const { rows } = await client.query<{ state: string | null }>(
          `SELECT state FROM ${t.negotiations} WHERE cfp_id = $1 FOR UPDATE`,
          [id],
        )
        const { state, result } = await step(rows[0]?.state ?? undefined)
        await client.query(
          `UPDATE ${t.negotiations} SET state = $2, updated_at = now() WHERE cfp_id = $1`,
          [id, state],
        )
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      } finally {
        client.release()
      }
    },
    async exclusively(name, fn) {
      const client = await pool.connect()
      const key = `gotong ${schema} ${name}`
      try {
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [key])
        try {
          return await fn()
        } finally {
          await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key])
        }
      } finally {
        client.release()
      }
    },
    async close() {
      await pool.end()
    },
  }
}
