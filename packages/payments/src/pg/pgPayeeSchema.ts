import type pg from 'pg'
import type { Address, Hex } from 'viem'
import { SignedReceipt } from '../receipt/signedReceipt.js'
import type { PayeeBinding, PayeeChannel, PayeeVoucher } from '../store/types.js'

/** First key of every advisory lock this store takes: gotong's, apart from other users'. */
export const lockSpace = 0x67746e67 // 'gtng'

/** Creates the payee tables in `schema` if missing, and brings an older ledger up to date. */
export async function createSchema(client: pg.Client, schema: string): Promise<void> {
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
    CREATE TABLE IF NOT EXISTS ${schema}.bindings (
      channel_id TEXT NOT NULL,
      terms_hash TEXT NOT NULL,
      price_per_call NUMERIC(78) NOT NULL,
      max_calls NUMERIC(78) NOT NULL,
      valid_until NUMERIC(78) NOT NULL,
      bound_at BIGINT NOT NULL,
      PRIMARY KEY (channel_id, terms_hash)
    );
    -- A ledger written when a channel paid for one agreement: that agreement is its first.
    INSERT INTO ${schema}.bindings
      SELECT channel_id, terms_hash, price_per_call, max_calls, valid_until, checked_at
      FROM ${schema}.channels
      ON CONFLICT (channel_id, terms_hash) DO NOTHING;
    CREATE TABLE IF NOT EXISTS ${schema}.claims (
      channel_id TEXT NOT NULL,
      cumulative NUMERIC(78) NOT NULL,
      tx_hash TEXT NOT NULL PRIMARY KEY,
      at BIGINT NOT NULL
    );
  `)
  await client.query('COMMIT')
}

export type ChannelRow = {
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
export type BindingRow = {
  channel_id: string
  terms_hash: string
  price_per_call: string
  max_calls: string
  valid_until: string
  bound_at: string
}
export type VoucherRow = {
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

export function toChannel(row: ChannelRow): PayeeChannel {
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

export function toBinding(row: BindingRow): PayeeBinding {
  return {
    channelId: row.channel_id as Hex,
    termsHash: row.terms_hash as Hex,
    pricePerCall: BigInt(row.price_per_call),
    maxCalls: BigInt(row.max_calls),
    validUntil: BigInt(row.valid_until),
    boundAt: Number(row.bound_at),
  }
}

export function toVoucher(row: VoucherRow): PayeeVoucher {
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
