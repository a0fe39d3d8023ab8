import { paymentChannelsAbi } from '@gotong/contracts'
import { gotongDomain, noEnvelopeHash, voucherTypes } from '@gotong/core'
import { type Hex, keccak256, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  createTestDatabase,
  startTestPostgres,
  type TestPostgres,
} from '../../../test/support/postgres.js'
import { ChannelError, privateKeySigner, VoucherRejectedError } from '../src/index.js'
import { createChannelReader, createPayee, createSettler } from '../src/payee.js'
import { createPgPayeeStore } from '../src/pg.js'
import type { AsyncPayeeStore } from '../src/store/types.js'
import { type Setup, setup, wire } from './fixture.js'

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

type PayeeSide = ReturnType<Setup['payeeOf']>
type PayerSide = ReturnType<Setup['payerOf']>
type Terms = { termsHash: Hex; terms: { pricePerCall: bigint; maxCalls: bigint } }

/** Payee 2 on a PostgreSQL schema, shaped like the fixture's SQLite side. */
async function pgPayee(schema: string): Promise<PayeeSide> {
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
  })
  return { ...c, store, payee, settler, path: '' } as unknown as PayeeSide
}

let requests = 0
/**
 * One paid call under `terms` through the payer, in an envelope of its own that its voucher is
 * bound to and authenticates (as on a `call` route); `fail` rolls it back as a failed tool would.
 */
async function call(
  payerSide: PayerSide,
  payeeSide: PayeeSide,
  channelId: Hex,
  { termsHash, terms }: Terms,
  options: { fail?: boolean; maxCalls?: boolean } = {},
) {
  const envelopeHash = keccak256(toHex(`shared envelope ${requests}`))
  const requestHash = keccak256(toHex(`shared request ${requests++}`))
  const issued = await payerSide.payer.createVoucher({
    channelId,
    termsHash,
    amount: terms.pricePerCall,
    requestHash,
    envelopeHash,
    ...(options.maxCalls === false ? {} : { maxCalls: terms.maxCalls }),
  })
  try {
    const verified = payeeSide.payee.verifyPayment(wire(issued.payment), envelopeHash)
    const ticket = await payeeSide.payee.acceptVoucher(verified, { requestHash })
    if (options.fail) {
      await ticket.rollback()
      payerSide.payer.fail(issued)
      return issued
    }
    const receipt = await ticket.commit({ responseHash: requestHash })
    payerSide.payer.confirm(issued, wire(receipt), requestHash)
    return issued
  } catch (error) {
    if (error instanceof VoucherRejectedError) payerSide.payer.fail(issued)
    throw error
  }
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: unknown) => (e as { code?: string }).code,
  )

/**
 * Two agreements of one consumer with one provider on one channel: one open on chain, each
 * agreement's quota and price on its own, a refused call's slot taken by the next call, and
 * the chain paying exactly what both ledgers say.
 */
async function twoToolsOneChannel(payerSide: PayerSide, payeeSide: PayeeSide) {
  const from = await t.publicClient.getBlockNumber()
  const startBalance = await t.balance(payeeSide.payee.address)
  const a = await t.channel(payerSide, payeeSide, {
    deposit: 100_000n,
    terms: { toolId: 1n, pricePerCall: 2_000n, maxCalls: 2n },
  })
  const b = t.agreement(1, 2, { toolId: 2n, pricePerCall: 500n, maxCalls: 0n })
  const bound = await payeeSide.payee.acceptChannel({
    key: a.key,
    agreement: b.terms,
    termsHash: b.termsHash,
  })
  expect(bound.channelId).toBe(a.channelId)
  // Idempotent.
  await payeeSide.payee.acceptChannel({ key: a.key, agreement: b.terms, termsHash: b.termsHash })
  expect((await payeeSide.payee.listBindings(a.channelId)).map((x) => x.termsHash)).toEqual([
    a.termsHash,
    b.termsHash,
  ])
  const openedEvents = await t.publicClient.getContractEvents({
    address: t.channels,
    abi: paymentChannelsAbi,
    eventName: 'ChannelOpened',
    fromBlock: from + 1n,
  })
  expect(openedEvents.map((e) => e.args.channelId)).toEqual([a.channelId])

  await call(payerSide, payeeSide, a.channelId, a)
  await call(payerSide, payeeSide, a.channelId, b)
  await call(payerSide, payeeSide, a.channelId, a)
  await call(payerSide, payeeSide, a.channelId, b)
  // A's two calls are used: the payer says so itself, and a consumer that signs anyway is
  // refused by the payee with A's quota code. B's calls go on.
  expect(await codeOf(call(payerSide, payeeSide, a.channelId, a))).toBe('CHANNEL_DEPOSIT_EXHAUSTED')
  expect(await codeOf(call(payerSide, payeeSide, a.channelId, a, { maxCalls: false }))).toBe(
    'VOUCHER_QUOTA_EXCEEDED',
  )
  // The refused call's slot (call 5) is signed again for B's call, at B's price.
  const fifth = await call(payerSide, payeeSide, a.channelId, b)
  expect(fifth.payment.voucher).toMatchObject({ calls: 5n, cumulativeAmount: 5_500n })
  return { a, b, from, startBalance }
}

/** The books after a claim: chain = payer ledger = payee ledger, to the unit. */
async function books(payerSide: PayerSide, payeeSide: PayeeSide, channelId: Hex, start: bigint) {
  await payeeSide.settler.claim(channelId)
  const paid = payerSide.payer.vouchers(channelId, 'served').reduce((sum, v) => sum + v.amount, 0n)
  const earned = (await payeeSide.store.highestCommitted(channelId))!.cumulativeAmount
  const onChain = (await t.balance(payeeSide.payee.address)) - start
  return { paid, earned, onChain }
}

describe('one channel per consumer–provider pair', () => {
  test('SQLite: two tools on one channel, quotas and prices apart, books to the unit, bindings kept over a restart', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(2)
    const { a, b, startBalance } = await twoToolsOneChannel(payerSide, payeeSide)
    const c = t.agreement(1, 2, { toolId: 3n, pricePerCall: 1_000n, maxCalls: 0n })
    await payeeSide.payee.acceptChannel({ key: a.key, agreement: c.terms, termsHash: c.termsHash })

    // A voucher pays for the one request it was signed for: with another envelope, or with
    // none, it is refused. Its call's slot is signed again for the next B call's envelope.
    const stray = await payerSide.payer.createVoucher({
      channelId: a.channelId,
      termsHash: b.termsHash,
      amount: 500n,
      envelopeHash: keccak256(toHex('its own envelope')),
    })
    const elsewhere = keccak256(toHex('another envelope'))
    expect(
      await codeOf(
        Promise.resolve().then(() => payeeSide.payee.verifyPayment(wire(stray.payment), elsewhere)),
      ),
    ).toBe('VOUCHER_REQUEST_MISMATCH')
    expect(await codeOf(payeeSide.payee.acceptVoucher(wire(stray.payment)))).toBe(
      'VOUCHER_REQUEST_MISMATCH',
    )
    payerSide.payer.fail(stray)
    // A B call the tool failed (rolled back): the next call, under C at another price, takes
    // its slot, so B's failed call is never paid.
    const failed = await call(payerSide, payeeSide, a.channelId, b, { fail: true })
    expect(failed).toMatchObject({ reused: true, payment: { voucher: { calls: 6n } } })
    expect(failed.payment.voucher.envelopeHash).not.toBe(stray.payment.voucher.envelopeHash)
    const sixth = await call(payerSide, payeeSide, a.channelId, c)
    expect(sixth.payment.voucher).toMatchObject({ calls: 6n, cumulativeAmount: 6_500n })

    // Out of order: call 8 (B) arrives before call 7 (C); both are served.
    const seventh = await payerSide.payer.createVoucher({
      channelId: a.channelId,
      termsHash: c.termsHash,
      amount: 1_000n,
    })
    const eighth = await payerSide.payer.createVoucher({
      channelId: a.channelId,
      termsHash: b.termsHash,
      amount: 500n,
    })
    const late = await payeeSide.payee.acceptVoucher(wire(eighth.payment))
    const early = await payeeSide.payee.acceptVoucher(wire(seventh.payment))
    const zero = `0x${'0'.repeat(64)}` as Hex
    payerSide.payer.confirm(eighth, wire(await late.commit({ responseHash: zero })), zero)
    payerSide.payer.confirm(seventh, wire(await early.commit({ responseHash: zero })), zero)

    // A restarted payee has every binding, and still serves each agreement at its price.
    payeeSide.store.close()
    const restarted = t.payeeOf(2, { path: payeeSide.path })
    expect((await restarted.payee.listBindings(a.channelId)).length).toBe(3)
    // Call 9 fails, and is sent again in a new envelope: the same number and amount, signed
    // again for it, and that is what the payee keeps and claims with.
    await call(payerSide, restarted, a.channelId, b, { fail: true })
    const ninth = await call(payerSide, restarted, a.channelId, b)
    expect(ninth.payment.voucher).toMatchObject({ calls: 9n, cumulativeAmount: 8_500n })
    expect(await restarted.store.getVoucher(a.channelId, 9n)).toMatchObject({
      status: 'committed',
      envelopeHash: ninth.payment.voucher.envelopeHash,
      signature: ninth.payment.signature,
    })

    // A payer that skips call 10 paying only the floor for it (B's 500) and then fills it
    // under C (1,000) would leave call 11 underpaid: refused.
    const payer = privateKeyToAccount(t.account(1).privateKey)
    const signed = async (calls: bigint, cumulativeAmount: bigint, termsHash: Hex) => {
      const voucher = {
        channelId: a.channelId,
        calls,
        cumulativeAmount,
        termsHash,
        envelopeHash: noEnvelopeHash,
      }
      const signature = await payer.signTypedData({
        domain: gotongDomain({ chainId: t.chainId, verifyingContract: t.channels }),
        types: voucherTypes,
        primaryType: 'Voucher',
        message: voucher,
      })
      return wire({
        scheme: 'gotong-channel',
        chainId: t.chainId,
        channels: t.channels,
        voucher,
        signature,
      })
    }
    const eleventh = await restarted.payee.acceptVoucher(await signed(11n, 9_500n, b.termsHash))
    expect(
      await codeOf(restarted.payee.acceptVoucher(await signed(10n, 9_500n, c.termsHash))),
    ).toBe('VOUCHER_NON_MONOTONIC')
    expect(
      await codeOf(restarted.payee.acceptVoucher(await signed(10n, 9_200n, c.termsHash))),
    ).toBe('VOUCHER_UNDERPRICED')
    await eleventh.rollback()

    const { paid, earned, onChain } = await books(payerSide, restarted, a.channelId, startBalance)
    expect({ paid, earned, onChain }).toEqual({ paid: 8_500n, earned: 8_500n, onChain: 8_500n })
    restarted.store.close()
  })

  test('PostgreSQL: the same channel sharing on a replicas’ ledger, kept by a new replica', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = await pgPayee('shared_channel')
    const { a, b, startBalance } = await twoToolsOneChannel(payerSide, payeeSide)
    // Another replica (or a restart) on the same schema knows both agreements of the channel.
    const replica = await pgPayee('shared_channel')
    expect((await replica.payee.listBindings(a.channelId)).length).toBe(2)
    const sixth = await call(payerSide, replica, a.channelId, b)
    expect(sixth.payment.voucher).toMatchObject({ calls: 6n, cumulativeAmount: 6_000n })
    expect(await codeOf(call(payerSide, replica, a.channelId, a, { maxCalls: false }))).toBe(
      'VOUCHER_QUOTA_EXCEEDED',
    )
    const { paid, earned, onChain } = await books(payerSide, replica, a.channelId, startBalance)
    expect({ paid, earned, onChain }).toEqual({ paid: 6_000n, earned: 6_000n, onChain: 6_000n })
  })

  test('PostgreSQL: a replica that knew the channel with one agreement learns of the second before refusing a quota', async () => {
    const payerSide = t.payerOf(1)
    const [one, two] = [await pgPayee('shared_channel_2'), await pgPayee('shared_channel_2')]
    const a = await t.channel(payerSide, one, { terms: { pricePerCall: 2_000n, maxCalls: 2n } })
    await call(payerSide, two, a.channelId, a)
    const b = t.agreement(1, 2, { toolId: 2n, pricePerCall: 500n, maxCalls: 0n })
    await one.payee.acceptChannel({ key: a.key, agreement: b.terms, termsHash: b.termsHash })
    await call(payerSide, one, a.channelId, b)
    await call(payerSide, one, a.channelId, b)
    // Call 4 on the channel is A's second: served by the replica that saw A alone so far.
    const fourth = await call(payerSide, two, a.channelId, a)
    expect(fourth.payment.voucher).toMatchObject({ calls: 4n, termsHash: a.termsHash })
    expect(await codeOf(call(payerSide, two, a.channelId, a, { maxCalls: false }))).toBe(
      'VOUCHER_QUOTA_EXCEEDED',
    )
  })

  test('the payer counts an agreement’s calls, not its channel’s', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(2)
    const a = await t.channel(payerSide, payeeSide, { terms: { maxCalls: 1n } })
    const b = t.agreement(1, 2, { toolId: 2n, maxCalls: 1n })
    await payeeSide.payee.acceptChannel({ key: a.key, agreement: b.terms, termsHash: b.termsHash })
    await call(payerSide, payeeSide, a.channelId, a)
    await call(payerSide, payeeSide, a.channelId, b)
    const refused = await call(payerSide, payeeSide, a.channelId, b).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ChannelError)
    expect((refused as ChannelError).code).toBe('CHANNEL_DEPOSIT_EXHAUSTED')
    payeeSide.store.close()
  })
})
