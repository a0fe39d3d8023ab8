import { join } from 'node:path'
import Database from 'better-sqlite3'
import { keccak256, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createSqlitePayeeStore } from '../src/node.js'
import { startCloseChannel } from '../src/payer.js'
import { price, type Setup, setup, wire } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

const request = (n: number) => keccak256(toHex(`request ${n}`))

describe('a closing channel', () => {
  test('serves a voucher below the newest accepted one and refuses one above it', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(2)
    const ch = await t.channel(payerSide, payeeSide, { deposit: 10n * price })
    const issue = (n: number) =>
      payerSide.payer.createVoucher({
        channelId: ch.channelId,
        termsHash: ch.termsHash,
        amount: price,
        requestHash: request(n),
      })
    const [one, two, three] = [await issue(1), await issue(2), await issue(3)]
    for (const [n, v] of [
      [1, one],
      [3, three],
    ] as const) {
      const ticket = await payeeSide.payee.acceptVoucher(wire(v.payment), {
        requestHash: request(n),
      })
      await ticket.commit({ responseHash: request(n) })
    }
    await startCloseChannel(payerSide.walletClient!, t.publicClient, {
      channels: t.channels,
      key: ch.key,
    })
    expect((await payeeSide.payee.refreshChannel(ch.channelId)).status).toBe('closing')

    // Call 2 was overtaken by call 3, whose voucher already pays for it: serving it costs the
    // payer nothing more, refusing it would charge for a call never served.
    const late = await payeeSide.payee.acceptVoucher(wire(two.payment), { requestHash: request(2) })
    await late.commit({ responseHash: request(2) })
    expect(payeeSide.store.getVoucher(ch.channelId, 2n)?.status).toBe('committed')

    const four = await issue(4)
    await expect(
      payeeSide.payee.acceptVoucher(wire(four.payment), { requestHash: request(4) }),
    ).rejects.toMatchObject({ code: 'VOUCHER_CHANNEL_CLOSING' })
    expect(payeeSide.store.getVoucher(ch.channelId, 4n)).toBeUndefined()
    expect(payeeSide.store.getChannel(ch.channelId)).toMatchObject({
      highestCalls: 3n,
      highestCumulative: 3n * price,
    })
  })
})

describe('a retried call', () => {
  test('is answered from its first result only for the same voucher and request', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(2)
    const ch = await t.channel(payerSide, payeeSide)
    const issue = (n: number) =>
      payerSide.payer.createVoucher({
        channelId: ch.channelId,
        termsHash: ch.termsHash,
        amount: price,
        requestHash: request(n),
      })
    const first = await issue(1)
    const ticket = await payeeSide.payee.acceptVoucher(wire(first.payment), {
      requestHash: request(1),
    })
    const response = { words: 5, longest: 'light' }
    const receipt = await ticket.commit({ responseHash: request(1), response })

    await expect(
      payeeSide.payee.acceptVoucher(wire(first.payment), { requestHash: request(1) }),
    ).rejects.toMatchObject({ code: 'VOUCHER_REPLAYED' })
    expect(await payeeSide.payee.answered(wire(first.payment), request(1))).toEqual({
      response,
      receipt,
    })
    // Another request under the same voucher is not the same call.
    expect(await payeeSide.payee.answered(wire(first.payment), request(9))).toBeUndefined()
    // Another voucher for the same call number is not the payer's voucher.
    const forged = structuredClone(wire(first.payment)) as { signature: string }
    forged.signature = `${forged.signature.slice(0, -4)}${forged.signature.endsWith('1b') ? '001c' : '001b'}`
    expect(await payeeSide.payee.answered(forged, request(1))).toBeUndefined()
    expect(await payeeSide.payee.answered({ not: 'a voucher' }, request(1))).toBeUndefined()

    // A call that failed keeps no answer.
    const second = await issue(2)
    const failed = await payeeSide.payee.acceptVoucher(wire(second.payment), {
      requestHash: request(2),
    })
    await failed.rollback()
    expect(await payeeSide.payee.answered(wire(second.payment), request(2))).toBeUndefined()

    // The answer is on disk: a restarted payee still has it.
    payeeSide.store.close()
    const reopened = t.payeeOf(2, { path: payeeSide.path })
    expect((await reopened.payee.answered(wire(first.payment), request(1)))?.response).toEqual(
      response,
    )
    reopened.store.close()
  })
})

describe('the payee store file', () => {
  test('a version 1 file is migrated in place: its vouchers kept, responses stored from then on, its channels bound to their one agreement', () => {
    const path = join(t.dir, 'payee-v1.sqlite')
    const v1 = new Database(path)
    v1.exec(`
      CREATE TABLE channels (channel_id TEXT PRIMARY KEY, chain_id INTEGER NOT NULL, channels TEXT NOT NULL,
        key_json TEXT NOT NULL, terms_hash TEXT NOT NULL, price_per_call TEXT NOT NULL, max_calls TEXT NOT NULL,
        valid_until TEXT NOT NULL, deposit TEXT NOT NULL, claimed TEXT NOT NULL, status TEXT NOT NULL,
        closes_at TEXT NOT NULL, checked_at INTEGER NOT NULL, highest_calls TEXT NOT NULL,
        highest_cumulative TEXT NOT NULL);
      CREATE TABLE vouchers (channel_id TEXT NOT NULL, calls INTEGER NOT NULL, cumulative TEXT NOT NULL,
        terms_hash TEXT NOT NULL, signature TEXT NOT NULL, status TEXT NOT NULL, request_hash TEXT,
        accepted_at INTEGER NOT NULL, settled_at INTEGER, receipt_json TEXT,
        PRIMARY KEY (channel_id, calls)) WITHOUT ROWID;
      CREATE INDEX vouchers_status ON vouchers (status, channel_id, calls);
      CREATE TABLE claims (channel_id TEXT NOT NULL, cumulative TEXT NOT NULL,
        tx_hash TEXT NOT NULL PRIMARY KEY, at INTEGER NOT NULL);
      PRAGMA user_version = 1;
    `)
    const channelId = keccak256(toHex('old channel'))
    const termsHash = keccak256(toHex('old terms'))
    v1.prepare(
      `INSERT INTO vouchers VALUES (?, 1, '2000', ?, '0x01', 'committed', NULL, 1, 2, NULL)`,
    ).run(channelId, termsHash)
    v1.prepare(
      `INSERT INTO channels VALUES (?, 31337, '0x01', '{}', ?, '500', '3', '0', '5000', '0', 'open', '0', 7, '1', '2000')`,
    ).run(channelId, termsHash)
    v1.close()

    const store = createSqlitePayeeStore(path)
    const old = store.getVoucher(channelId, 1n)
    // Made before vouchers bound a request: its envelope hash reads as zero.
    expect(old).toMatchObject({
      status: 'committed',
      cumulativeAmount: 2_000n,
      envelopeHash: `0x${'0'.repeat(64)}`,
    })
    expect(old?.response).toBeUndefined()
    store.saveVoucher({ ...old!, calls: 2n, response: { kept: true } })
    expect(store.getVoucher(channelId, 2n)?.response).toEqual({ kept: true })
    // The channel's one agreement is its first binding: its price and quota still apply.
    expect(store.listBindings(channelId)).toEqual([
      { channelId, termsHash, pricePerCall: 500n, maxCalls: 3n, validUntil: 0n, boundAt: 7 },
    ])
    expect(store.countVouchers(channelId, termsHash)).toBe(2n)
    store.close()
    expect(new Database(path).pragma('user_version', { simple: true })).toBe(4)
  })

  test('a file written by a newer schema is refused with a clear code, untouched', () => {
    const path = join(t.dir, 'payee-v9.sqlite')
    const future = new Database(path)
    future.exec('CREATE TABLE vouchers (a); PRAGMA user_version = 9;')
    future.close()
    expect(() => createSqlitePayeeStore(path)).toThrow(
      expect.objectContaining({ code: 'STORE_SCHEMA_UNKNOWN' }),
    )
    expect(new Database(path).pragma('user_version', { simple: true })).toBe(9)
  })
})
