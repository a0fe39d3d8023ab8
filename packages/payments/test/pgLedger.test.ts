import pg from 'pg'
import { keccak256, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  createTestDatabase,
  startTestPostgres,
  type TestPostgres,
} from '../../../test/support/postgres.js'
import { privateKeySigner } from '../src/index.js'
import { createChannelReader, createPayee, createSettler } from '../src/payee.js'
import { createPgPayeeStore } from '../src/pg.js'
import type { AsyncPayeeStore } from '../src/store/types.js'
import { price, type Setup, setup, wire } from './fixture.js'

let t: Setup
let postgres: TestPostgres
let database: Awaited<ReturnType<typeof createTestDatabase>>
const opened: AsyncPayeeStore[] = []
beforeAll(async () => {
  ;[t, postgres] = await Promise.all([setup(), startTestPostgres()])
  database = await createTestDatabase(postgres.url)
}, 60_000)
afterAll(async () => {
  await Promise.allSettled(opened.map((s) => s.close()))
  await database?.drop()
  postgres?.stop()
  await t?.stop()
})

const request = (n: number) => keccak256(toHex(`request ${n}`))
/** A replica where the fixture takes a payee side (only its payee is used). */
const bound = (r: Awaited<ReturnType<typeof replica>>) =>
  r as unknown as ReturnType<Setup['payeeOf']>

/** A replica of payee 2: its own process's store, on the provider's shared schema. */
async function replica(schema: string) {
  const store = await createPgPayeeStore({ url: database.url, schema })
  opened.push(store)
  const c = t.payeeOf(2)
  c.store.close()
  const payee = createPayee({
    store,
    signer: privateKeySigner(t.account(2).privateKey),
    chainId: t.chainId,
    channels: t.channels,
    readChannel: createChannelReader(c.publicClient, t.channels),
  })
  const settler = createSettler({
    payee,
    store,
    wallet: c.walletClient!,
    publicClient: c.publicClient,
    channels: t.channels,
    policy: { minAmount: 1n },
  })
  return { ...c, store, payee, settler, path: '' }
}

describe('replicas on one PostgreSQL ledger', () => {
  test('racing on one channel, two replicas accept each voucher exactly once', async () => {
    const [a, b] = [await replica('race'), await replica('race')]
    const payerSide = t.payerOf(1)
    const ch = await t.channel(payerSide, bound(a), { deposit: 100n * price })
    const codes: string[] = []
    for (let n = 1; n <= 20; n++) {
      const issued = await payerSide.payer.createVoucher({
        channelId: ch.channelId,
        termsHash: ch.termsHash,
        amount: price,
        requestHash: request(n),
      })
      const both = await Promise.allSettled(
        [a, b].map((r) => r.payee.acceptVoucher(wire(issued.payment), { requestHash: request(n) })),
      )
      const won = both.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
      for (const r of both) if (r.status === 'rejected') codes.push(r.reason.code)
      expect(won).toHaveLength(1)
      await won[0]!.commit({ responseHash: request(n) })
    }
    expect(new Set(codes)).toEqual(new Set(['VOUCHER_REPLAYED']))
    expect(await b.store.getChannel(ch.channelId)).toMatchObject({
      highestCalls: 20n,
      highestCumulative: 20n * price,
    })
    expect(await a.store.listVouchers({ status: 'committed' })).toHaveLength(20)
  })

  test("a replica gone mid-call leaves its voucher pending; the payer's retry is served by another, charged once", async () => {
    const [a, b] = [await replica('gone'), await replica('gone')]
    const payerSide = t.payerOf(1)
    const ch = await t.channel(payerSide, bound(a), { deposit: 100n * price })
    const issued = await payerSide.payer.createVoucher({
      channelId: ch.channelId,
      termsHash: ch.termsHash,
      amount: price,
      requestHash: request(1),
    })
    await a.payee.acceptVoucher(wire(issued.payment), { requestHash: request(1) })
    // A is alive: its call is its own, not rolled back by B's start nor taken by B.
    expect(await b.payee.recover()).toEqual({ rolledBack: 0 })
    await expect(
      b.payee.acceptVoucher(wire(issued.payment), { requestHash: request(1) }),
    ).rejects.toMatchObject({ code: 'VOUCHER_REPLAYED' })

    await a.store.close()
    const retried = await b.payee.acceptVoucher(wire(issued.payment), { requestHash: request(1) })
    const response = { words: 3 }
    const receipt = await retried.commit({ responseHash: request(1), response })
    payerSide.payer.confirm(issued, wire(receipt), request(1))
    // Another retry (the first answer lost) is answered from the kept response, on any replica.
    const c = await replica('gone')
    await expect(
      c.payee.acceptVoucher(wire(issued.payment), { requestHash: request(1) }),
    ).rejects.toMatchObject({ code: 'VOUCHER_REPLAYED' })
    expect(await c.payee.answered(wire(issued.payment), request(1))).toEqual({ response, receipt })

    const before = await t.balance(b.payee.address)
    const claimed = await b.settler.settle()
    expect(claimed.map((x) => x.amount)).toEqual([price])
    expect((await t.balance(b.payee.address)) - before).toBe(price)
  })

  test('one settler settles for all the replicas, and another takes over when it is gone or its session is cut', async () => {
    const [a, b] = [await replica('settle'), await replica('settle')]
    const payerSide = t.payerOf(1)
    const ch = await t.channel(payerSide, bound(a), { deposit: 100n * price })
    const pay = async (n: number, r: typeof a) => {
      const issued = await payerSide.payer.createVoucher({
        channelId: ch.channelId,
        termsHash: ch.termsHash,
        amount: price,
        requestHash: request(n),
      })
      const ticket = await r.payee.acceptVoucher(wire(issued.payment), { requestHash: request(n) })
      await ticket.commit({ responseHash: request(n) })
    }
    await pay(1, a)
    await pay(2, b)
    const before = await t.balance(a.payee.address)
    const [byA, byB] = [await a.settler.settle(), await b.settler.settle()]
    expect([byA.length, byB.length]).toEqual([1, 0])
    expect((await t.balance(a.payee.address)) - before).toBe(2n * price)

    await pay(3, b)
    await a.store.close()
    const taken = await b.settler.settle()
    expect(taken.map((x) => x.amount)).toEqual([price])
    expect((await t.balance(a.payee.address)) - before).toBe(3n * price)

    // B's session cut by the server (a restart, a network cut): its locks went with it, so it
    // stops settling, and a third replica takes over.
    const c = await replica('settle')
    const admin = new pg.Client({ connectionString: database.url })
    await admin.connect()
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = 0
         AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    )
    await admin.end()
    await expect.poll(() => b.store.leads!()).toBe(false)
    await pay(4, c)
    expect((await c.settler.settle()).map((x) => x.amount)).toEqual([price])
    expect(await b.settler.settle()).toEqual([])
  })
})
