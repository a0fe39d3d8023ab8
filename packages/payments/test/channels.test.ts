import { paymentChannelsAbi } from '@gotong/contracts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { exportLedger } from '../src/index.js'
import { finalizeChannel, startCloseChannel, topUpChannel } from '../src/payer.js'
import { price, type Setup, setup } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

const status = async (channelId: `0x${string}`) =>
  (
    await t.publicClient.readContract({
      address: t.channels,
      abi: paymentChannelsAbi,
      functionName: 'getChannel',
      args: [channelId],
    })
  ).status

describe('a channel from open to finalize', () => {
  test('open → 100 paid calls → claim → close → finalize, every balance read back from chain', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(2)
    const [payerStart, payeeStart, contractStart] = await Promise.all([
      t.balance(payerSide.payer.address),
      t.balance(payeeSide.payee.address),
      t.balance(t.channels),
    ])
    const ch = await t.channel(payerSide, payeeSide, { deposit: 300_000n })
    expect(await t.balance(t.channels)).toBe(contractStart + 300_000n)
    expect(await t.balance(payerSide.payer.address)).toBe(payerStart - 300_000n)

    for (let n = 1; n <= 100; n++) await t.call(payerSide, payeeSide, ch, n)
    expect(payeeSide.store.highestCommitted(ch.channelId)?.cumulativeAmount).toBe(100n * price)

    const claim = await payeeSide.settler.claim(ch.channelId)
    expect(claim?.amount).toBe(200_000n)
    expect(await t.balance(payeeSide.payee.address)).toBe(payeeStart + 200_000n)
    expect(await payeeSide.settler.claim(ch.channelId)).toBeUndefined()

    // A top-up, then ten more calls that spend into it.
    await topUpChannel(payerSide.walletClient!, t.publicClient, {
      channels: t.channels,
      key: ch.key,
      amount: 50_000n,
    })
    payerSide.payer.updateChannel(ch.channelId, { deposit: 350_000n })
    for (let n = 101; n <= 160; n++) await t.call(payerSide, payeeSide, ch, n)
    expect(payeeSide.store.getChannel(ch.channelId)?.deposit).toBe(350_000n)

    await startCloseChannel(payerSide.walletClient!, t.publicClient, {
      channels: t.channels,
      key: ch.key,
    })
    expect(await status(ch.channelId)).toBe(2) // Closing
    await payeeSide.settler.claim(ch.channelId)
    await expect(
      finalizeChannel(payerSide.walletClient!, t.publicClient, {
        channels: t.channels,
        key: ch.key,
      }),
    ).rejects.toMatchObject({ code: 'CHANNEL_TX_FAILED', details: 'ChallengePeriodActive' })
    await t.testClient.increaseTime({ seconds: 61 })
    await t.testClient.mine({ blocks: 1 })
    await finalizeChannel(payerSide.walletClient!, t.publicClient, {
      channels: t.channels,
      key: ch.key,
    })

    expect(await status(ch.channelId)).toBe(3) // Closed
    expect(await t.balance(payeeSide.payee.address)).toBe(payeeStart + 160n * price)
    expect(await t.balance(payerSide.payer.address)).toBe(payerStart - 160n * price)
    expect(await t.balance(t.channels)).toBe(contractStart)

    // Every call has its receipt in both ledgers.
    const csv = exportLedger(payerSide.payer.vouchers(ch.channelId), { format: 'csv' })
      .trim()
      .split('\r\n')
    expect(csv).toHaveLength(161)
    expect(csv[0]).toBe(
      'scheme,channelId,call,amount,cumulativeAmount,termsHash,status,requestHash,responseHash,servedAt,receiptSignature,voucherSignature,authorizationNonce,transaction',
    )
    expect(csv[160]).toMatch(
      new RegExp(
        `^channel,${ch.channelId},160,2000,320000,${ch.termsHash},served,0x[0-9a-f]{64},0x[0-9a-f]{64},\\d{4}-.*,0x[0-9a-f]{130},0x[0-9a-f]{130},,$`,
      ),
    )
    const payeeLedger = JSON.parse(
      exportLedger(payeeSide.store.listVouchers({ channelId: ch.channelId }), { format: 'json' }),
    )
    expect(payeeLedger).toHaveLength(160)
    expect(
      payeeLedger.every(
        (r: { amount: string; status: string }) => r.amount === '2000' && r.status === 'committed',
      ),
    ).toBe(true)
  })

  test('a stale close is answered by the watcher before the window ends', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(3)
    const payeeStart = await t.balance(payeeSide.payee.address)
    const payerStart = await t.balance(payerSide.payer.address)
    const ch = await t.channel(payerSide, payeeSide, { deposit: 100_000n, challengePeriod: 3_600 })
    for (let n = 1; n <= 10; n++) await t.call(payerSide, payeeSide, ch, n)

    const claims: bigint[] = []
    const stop = await payeeSide.settler.watch({
      pollingIntervalMs: 50,
      onClaim: (c) => claims.push(c.amount),
    })
    try {
      // The payer tries to leave with nothing claimed yet.
      await startCloseChannel(payerSide.walletClient!, t.publicClient, {
        channels: t.channels,
        key: ch.key,
      })
      await expect.poll(() => claims, { timeout: 10_000, interval: 25 }).toEqual([10n * price])
    } finally {
      stop()
    }
    expect(payeeSide.store.getChannel(ch.channelId)?.status).toBe('closing')
    // The payee refuses new calls on a closing channel; a payer that knows refuses to sign them.
    await expect(t.call(payerSide, payeeSide, ch, 11)).rejects.toMatchObject({
      code: 'VOUCHER_CHANNEL_CLOSING',
    })
    payerSide.payer.updateChannel(ch.channelId, { status: 'closing' })
    await expect(t.call(payerSide, payeeSide, ch, 12)).rejects.toMatchObject({
      code: 'CHANNEL_NOT_OPEN',
    })

    await t.testClient.increaseTime({ seconds: 3_601 })
    await t.testClient.mine({ blocks: 1 })
    await finalizeChannel(payerSide.walletClient!, t.publicClient, {
      channels: t.channels,
      key: ch.key,
    })
    expect(await t.balance(payeeSide.payee.address)).toBe(payeeStart + 10n * price)
    expect(await t.balance(payerSide.payer.address)).toBe(payerStart - 10n * price)
  })

  test('a close that started while the payee was down is claimed when it starts watching', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(2)
    const ch = await t.channel(payerSide, payeeSide, { deposit: 50_000n })
    for (let n = 1; n <= 3; n++) await t.call(payerSide, payeeSide, ch, n)
    const before = await t.balance(payeeSide.payee.address)
    await startCloseChannel(payerSide.walletClient!, t.publicClient, {
      channels: t.channels,
      key: ch.key,
    })
    const stop = await payeeSide.settler.watch()
    stop()
    expect(await t.balance(payeeSide.payee.address)).toBe(before + 3n * price)
  })

  test('the claim policy claims by amount and by age', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(2)
    const ch = await t.channel(payerSide, payeeSide, { deposit: 50_000n })
    const { createSettler } = await import('../src/payee.js')
    let now = Date.now()
    const settler = createSettler({
      payee: payeeSide.payee,
      store: payeeSide.store,
      wallet: payeeSide.walletClient!,
      publicClient: payeeSide.publicClient,
      channels: t.channels,
      policy: { minAmount: 5n * price, maxAgeMs: 60_000 },
      now: () => now,
    })
    for (let n = 1; n <= 4; n++) await t.call(payerSide, payeeSide, ch, n)
    expect(await settler.settle()).toEqual([])
    await t.call(payerSide, payeeSide, ch, 5)
    expect((await settler.settle()).map((c) => c.amount)).toEqual([5n * price])
    await t.call(payerSide, payeeSide, ch, 6)
    expect(await settler.settle()).toEqual([])
    now = Date.now() + 60_000
    expect((await settler.settle()).map((c) => c.amount)).toEqual([price])
    expect(payeeSide.store.listClaims(ch.channelId).map((c) => c.cumulativeAmount)).toEqual([
      5n * price,
      6n * price,
    ])
  })
})
