import { join } from 'node:path'
import Database from 'better-sqlite3'
import { type Hex, keccak256, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  accountSigner,
  createBudget,
  createVoucherDigester,
  type DigestSigner,
  type PayerStore,
  privateKeySigner,
} from '../src/index.js'
import { createSqlitePayerStore } from '../src/node.js'
import { createPayer } from '../src/payer.js'
import { price, type Setup, setup, wire } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

/**
 * The payer's SQLite store, counting durable commits: a transaction that wrote, or a write
 * outside any transaction. Each is an fsync under synchronous=FULL.
 */
function countingStore(path: string) {
  const store = createSqlitePayerStore(path)
  let depth = 0
  let wrote = false
  let commits = 0
  const written = () => {
    if (depth > 0) wrote = true
    else commits++
  }
  const counted: PayerStore = {
    ...store,
    transaction(fn) {
      if (depth === 0) wrote = false
      depth++
      let result: ReturnType<typeof fn>
      try {
        result = store.transaction(fn)
      } finally {
        depth--
      }
      if (depth === 0 && wrote) commits++
      return result
    },
    saveChannel(channel) {
      store.saveChannel(channel)
      written()
    },
    saveVoucher(voucher) {
      store.saveVoucher(voucher)
      written()
    },
  }
  return { store: counted, commits: () => commits }
}

/** A payer (account 1) over `signer` with a counting store, a payee (account 2) and a channel. */
async function payerWith(signer: DigestSigner, name: string) {
  const path = join(t.dir, `${name}.sqlite`)
  const { store, commits } = countingStore(path)
  const budget = createBudget('payer', { max: 1_000_000n })
  const payer = createPayer({ store, signer, chainId: t.chainId, channels: t.channels, budget })
  const payerSide = { ...t.payerOf(1), payer, store, path }
  const payeeSide = t.payeeOf(2)
  const ch = await t.channel(payerSide, payeeSide, { deposit: 100_000n })
  const voucher = () =>
    payer.createVoucher({ channelId: ch.channelId, termsHash: ch.termsHash, amount: price })
  /**
   * What another process reading the file sees once this turn ends: committed rows only (the
   * store commits a turn's transactions together at its end).
   */
  const onDisk = async (calls: bigint) => {
    await new Promise((resolve) => setImmediate(resolve))
    const reader = createSqlitePayerStore(path)
    try {
      return reader.getVoucher(ch.channelId, calls)
    } finally {
      reader.close()
    }
  }
  return { payer, store, commits, budget, payerSide, payeeSide, ch, voucher, onDisk }
}

describe('createVoucher', () => {
  test('a synchronous signer: one durable commit per voucher, holding its signature; confirm and fail one each', async () => {
    const p = await payerWith(privateKeySigner(t.account(1).privateKey), 'sync')
    let before = p.commits()
    const issued = await p.voucher()
    expect(p.commits() - before).toBe(1)
    expect(await p.onDisk(1n)).toMatchObject({
      status: 'issued',
      cumulativeAmount: price,
      signature: issued.payment.signature,
    })

    const requestHash = keccak256(toHex('request'))
    const ticket = await p.payeeSide.payee.acceptVoucher(wire(issued.payment), { requestHash })
    const receipt = await ticket.commit({ responseHash: keccak256(toHex('ok')) })
    before = p.commits()
    p.payer.confirm(issued, wire(receipt), requestHash)
    expect(p.commits() - before).toBe(1)
    expect((await p.onDisk(1n))?.status).toBe('served')
    expect(p.budget.spent()).toBe(price)

    const failed = await p.voucher()
    before = p.commits()
    p.payer.fail(failed)
    expect(p.commits() - before).toBe(1)
    expect(p.budget.reserved()).toBe(0n)
    before = p.commits()
    const again = await p.voucher()
    expect(p.commits() - before).toBe(1)
    expect(again).toMatchObject({ reused: true, payment: failed.payment })
  })

  test('an async signer: the voucher is on disk before its signature exists, and recorded with it in a second commit', async () => {
    const account = privateKeyToAccount(t.account(1).privateKey)
    const inner = accountSigner(account)
    const asked: { digest: Uint8Array; release: () => void }[] = []
    const signer: DigestSigner = {
      address: account.address,
      signDigest: (digest) =>
        new Promise<Hex>((resolve) => {
          asked.push({ digest, release: () => resolve(inner.signDigest(digest)) })
        }),
    }
    const p = await payerWith(signer, 'async')
    const before = p.commits()
    const issuing = p.voucher()
    await expect.poll(() => asked.length).toBe(1)
    expect(await p.onDisk(1n)).toMatchObject({ status: 'issued', signature: undefined })
    asked[0]!.release()
    const issued = await issuing
    expect(p.commits() - before).toBe(2)
    // The same bytes a raw-key signer makes (RFC 6979), and the payee takes them.
    const digest = asked[0]!.digest
    expect(issued.payment.signature).toBe(
      privateKeySigner(t.account(1).privateKey).signDigest(digest),
    )
    expect((await p.onDisk(1n))?.signature).toBe(issued.payment.signature)
    await p.payeeSide.payee.acceptVoucher(wire(issued.payment))
  })

  test('an async signer that fails: the voucher becomes reusable and the budget is released', async () => {
    const account = privateKeyToAccount(t.account(1).privateKey)
    let refuse = true
    const signer: DigestSigner = {
      address: account.address,
      signDigest: async (digest) => {
        if (refuse) throw new Error('signer unavailable')
        return accountSigner(account).signDigest(digest)
      },
    }
    const p = await payerWith(signer, 'async-fail')
    await expect(p.voucher()).rejects.toThrow('signer unavailable')
    expect(p.budget.reserved()).toBe(0n)
    expect(await p.onDisk(1n)).toMatchObject({ status: 'failed', signature: undefined })
    refuse = false
    const issued = await p.voucher()
    expect(issued.reused).toBe(true)
    expect(issued.payment.voucher).toMatchObject({ calls: 1n, cumulativeAmount: price })
    expect((await p.onDisk(1n))?.signature).toBe(issued.payment.signature)
  })

  test("maxCalls: a channel that has had all the agreement's calls is refused, nothing reserved or recorded", async () => {
    const p = await payerWith(privateKeySigner(t.account(1).privateKey), 'max-calls')
    const capped = () =>
      p.payer.createVoucher({
        channelId: p.ch.channelId,
        termsHash: p.ch.termsHash,
        amount: price,
        maxCalls: 2n,
      })
    await capped()
    await capped()
    const before = p.commits()
    await expect(capped()).rejects.toMatchObject({
      code: 'CHANNEL_DEPOSIT_EXHAUSTED',
      shortMessage: `The agreement on channel ${p.ch.channelId} has had all its 2 calls.`,
    })
    expect(p.commits()).toBe(before)
    expect(p.budget.reserved()).toBe(2n * price)
    expect(await p.onDisk(3n)).toBeUndefined()
    // Without a cap the same channel still pays.
    expect((await p.voucher()).payment.voucher.calls).toBe(3n)
  })
})

describe('a voucher bound to its request', () => {
  test('signed for an envelope, checked against it, signed again for the next one: one call, one amount, the payee records the envelope it was paid for', async () => {
    const p = await payerWith(privateKeySigner(t.account(1).privateKey), 'bound')
    const { payee } = p.payeeSide
    const [first, second] = [keccak256(toHex('envelope 1')), keccak256(toHex('envelope 2'))]
    const issued = await p.payer.createVoucher({
      channelId: p.ch.channelId,
      termsHash: p.ch.termsHash,
      amount: price,
      envelopeHash: first,
    })
    expect(issued.payment.voucher.envelopeHash).toBe(first)
    // Verified against another envelope, or none: refused before anything is recorded.
    const codeOf = (f: () => unknown) => {
      try {
        f()
        return 'ok'
      } catch (error) {
        return (error as { code: string }).code
      }
    }
    expect(codeOf(() => payee.verifyPayment(wire(issued.payment), second))).toBe(
      'VOUCHER_REQUEST_MISMATCH',
    )
    await expect(payee.acceptVoucher(wire(issued.payment))).rejects.toMatchObject({
      code: 'VOUCHER_REQUEST_MISMATCH',
    })
    // Sent again in a new envelope: the same call and amount, signed for it.
    const rebound = await p.payer.bindVoucher(issued, second)
    expect(rebound.payment.voucher).toEqual({ ...issued.payment.voucher, envelopeHash: second })
    expect(rebound.payment.signature).not.toBe(issued.payment.signature)
    expect(await p.onDisk(1n)).toMatchObject({
      envelopeHash: second,
      signature: rebound.payment.signature,
    })
    expect(p.payer.vouchers(p.ch.channelId)).toHaveLength(1)
    const verified = payee.verifyPayment(wire(rebound.payment), second)
    expect(verified.signer).toBe(t.account(1).address.toLowerCase())
    const requestHash = keccak256(toHex('request'))
    const ticket = await payee.acceptVoucher(verified, { requestHash })
    expect(ticket.voucher).toMatchObject({
      calls: 1n,
      cumulativeAmount: price,
      envelopeHash: second,
    })
    const receipt = await ticket.commit({ responseHash: keccak256(toHex('ok')), response: 'ok' })
    p.payer.confirm(rebound, wire(receipt), requestHash)
    expect(p.budget.spent()).toBe(price)
    // A retry of the served call, signed for a third envelope: its first answer, not a charge.
    const third = keccak256(toHex('envelope 3'))
    const retry = payee.verifyPayment(
      wire({
        ...rebound.payment,
        voucher: { ...rebound.payment.voucher, envelopeHash: third },
        signature: privateKeySigner(t.account(1).privateKey).signDigest(
          createVoucherDigester({ chainId: t.chainId, verifyingContract: t.channels }).digest({
            ...rebound.payment.voucher,
            envelopeHash: third,
          }),
        ),
      }),
      third,
    )
    await expect(payee.acceptVoucher(retry, { requestHash })).rejects.toMatchObject({
      code: 'VOUCHER_REPLAYED',
    })
    expect(await payee.answered(retry, requestHash)).toEqual({ response: 'ok', receipt })
  })
})

describe('the payer store file', () => {
  test('a version 1 file is migrated: reusable vouchers are found through the new index, and its vouchers bind no request', () => {
    const path = join(t.dir, 'payer-v1.sqlite')
    const v1 = new Database(path)
    v1.exec(`
      CREATE TABLE channels (channel_id TEXT PRIMARY KEY, chain_id INTEGER NOT NULL, channels TEXT NOT NULL,
        key_json TEXT NOT NULL, deposit TEXT NOT NULL, cumulative TEXT NOT NULL, calls TEXT NOT NULL,
        status TEXT NOT NULL, opened_at INTEGER NOT NULL);
      CREATE TABLE vouchers (channel_id TEXT NOT NULL, calls INTEGER NOT NULL, cumulative TEXT NOT NULL,
        amount TEXT NOT NULL, terms_hash TEXT NOT NULL, signature TEXT, status TEXT NOT NULL,
        issued_at INTEGER NOT NULL, request_hash TEXT, receipt_json TEXT,
        PRIMARY KEY (channel_id, calls)) WITHOUT ROWID;
      CREATE INDEX vouchers_failed ON vouchers (channel_id, status, calls);
      PRAGMA user_version = 1;
    `)
    const channelId = keccak256(toHex('old channel'))
    const terms = keccak256(toHex('old terms'))
    const other = keccak256(toHex('other terms'))
    const insert = v1.prepare(
      `INSERT INTO vouchers VALUES (?, ?, ?, ?, ?, '0x01', ?, 1, NULL, NULL)`,
    )
    // calls, amount, terms, status
    const rows: [number, string, Hex, string][] = [
      [1, '2000', terms, 'served'],
      [2, '2000', other, 'failed'],
      [3, '3000', terms, 'failed'],
      [4, '2000', terms, 'issued'],
      [5, '2000', terms, 'failed'],
      [6, '2000', terms, 'failed'],
    ]
    let cumulative = 0
    for (const [calls, amount, termsHash, status] of rows) {
      cumulative += Number(amount)
      insert.run(channelId, calls, String(cumulative), amount, termsHash, status)
    }
    v1.close()

    const store = createSqlitePayerStore(path)
    expect(store.findReusable(channelId, terms, 2_000n)?.calls).toBe(5n)
    expect(store.findReusable(channelId, terms, 3_000n)?.calls).toBe(3n)
    expect(store.findReusable(channelId, other, 2_000n)?.calls).toBe(2n)
    expect(store.findReusable(channelId, other, 3_000n)).toBeUndefined()
    store.saveVoucher({ ...store.getVoucher(channelId, 5n)!, status: 'issued' })
    expect(store.findReusable(channelId, terms, 2_000n)?.calls).toBe(6n)
    expect(store.getVoucher(channelId, 1n)?.envelopeHash).toBe(`0x${'0'.repeat(64)}`)
    store.close()

    const db = new Database(path)
    expect(db.pragma('user_version', { simple: true })).toBe(3)
    expect(
      db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'vouchers'`)
        .all(),
    ).toEqual([{ name: 'vouchers_reusable' }])
    db.close()
  })
})

describe('the payer store by status', () => {
  test('lists only the vouchers with a status, for one channel or all; recover() reads only those in doubt', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(2)
    const ch = await t.channel(payerSide, payeeSide)
    const issue = (n: number) =>
      payerSide.payer.createVoucher({
        channelId: ch.channelId,
        termsHash: ch.termsHash,
        amount: price,
        requestHash: keccak256(toHex(`status ${n}`)),
      })
    await t.call(payerSide, payeeSide, ch, 1) // served
    const failed = await issue(2)
    payerSide.payer.fail(failed)
    await issue(3) // reuses call 2's voucher: issued again
    await issue(4) // call 3, issued
    const byStatus = (status?: 'issued' | 'served' | 'failed') =>
      payerSide.store.listVouchers(ch.channelId, status).map((v) => v.calls)
    expect(byStatus()).toEqual([1n, 2n, 3n])
    expect(byStatus('served')).toEqual([1n])
    expect(byStatus('issued')).toEqual([2n, 3n])
    expect(byStatus('failed')).toEqual([])
    expect(payerSide.store.listVouchers(undefined, 'issued').map((v) => v.calls)).toEqual([2n, 3n])
    expect(payerSide.payer.recover().inDoubt.map((v) => v.calls)).toEqual([2n, 3n])
  })
})
