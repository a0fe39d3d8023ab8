import { gotongDomain, noEnvelopeHash, type Voucher, voucherTypes } from '@gotong/core'
import { type Hex, keccak256, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { BudgetExceededError, createBudget, VoucherRejectedError } from '../src/index.js'
import { price, type Setup, setup, wire } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

describe('acceptVoucher refuses bad vouchers, each with its own code, and records nothing', () => {
  test('cross-channel, cross-chain, over-deposit, non-monotonic, under-priced, malformed and more', async () => {
    const payerSide = t.payerOf(1)
    const otherPayer = t.payerOf(3)
    const payeeSide = t.payeeOf(2)
    const a = await t.channel(payerSide, payeeSide, { deposit: 20_000n, terms: { maxCalls: 9n } })
    const b = await t.channel(otherPayer, payeeSide, { deposit: 20_000n })
    await t.call(payerSide, payeeSide, a, 1)
    await t.call(payerSide, payeeSide, a, 2)
    await t.call(otherPayer, payeeSide, b, 1)

    const payerAccount = privateKeyToAccount(t.account(1).privateKey)
    const sign = (voucher: Voucher, options: { chainId?: number; by?: typeof payerAccount } = {}) =>
      (options.by ?? payerAccount).signTypedData({
        domain: gotongDomain({
          chainId: options.chainId ?? t.chainId,
          verifyingContract: t.channels,
        }),
        types: voucherTypes,
        primaryType: 'Voucher',
        message: voucher,
      })
    const payment = async (
      patch: Partial<{
        channelId: Hex
        cumulativeAmount: bigint
        calls: bigint
        termsHash: Hex
        envelopeHash: Hex
      }>,
      options: { chainId?: number; by?: typeof payerAccount; claimChainId?: number } = {},
    ) => {
      const voucher = {
        channelId: a.channelId,
        cumulativeAmount: 3n * price,
        calls: 3n,
        termsHash: a.termsHash,
        envelopeHash: noEnvelopeHash as Hex,
        ...patch,
      }
      return wire({
        scheme: 'gotong-channel',
        chainId: options.claimChainId ?? options.chainId ?? t.chainId,
        channels: t.channels,
        voucher,
        signature: await sign(voucher, options),
      })
    }
    const bVoucher = payeeSide.store.getVoucher(b.channelId, 1n)!
    const highS = (await payment({})) as { signature: Hex }
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    const s = BigInt(`0x${highS.signature.slice(66, 130)}`)
    const v = Number.parseInt(highS.signature.slice(130), 16)
    const malleable = `${highS.signature.slice(0, 66)}${(n - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}`

    const cases: [string, unknown, { channelId?: Hex }?][] = [
      [
        'VOUCHER_WRONG_CHANNEL',
        wire({
          scheme: 'gotong-channel',
          chainId: t.chainId,
          channels: t.channels,
          voucher: {
            channelId: b.channelId,
            cumulativeAmount: price,
            calls: 1n,
            termsHash: b.termsHash,
            envelopeHash: bVoucher.envelopeHash,
          },
          signature: bVoucher.signature,
        }),
        { channelId: a.channelId },
      ],
      ['VOUCHER_WRONG_CHAIN', await payment({}, { chainId: 1 })],
      ['VOUCHER_BAD_SIGNATURE', await payment({}, { chainId: 1, claimChainId: t.chainId })],
      ['VOUCHER_WRONG_CONTRACT', { ...((await payment({})) as object), channels: t.token }],
      ['VOUCHER_OVER_DEPOSIT', await payment({ calls: 3n, cumulativeAmount: 20_001n })],
      ['VOUCHER_NON_MONOTONIC', await payment({ calls: 1n, cumulativeAmount: 2n * price })],
      ['VOUCHER_UNDERPRICED', await payment({ calls: 3n, cumulativeAmount: 3n * price - 1n })],
      ['VOUCHER_MALFORMED', { ...highS, signature: malleable }],
      ['VOUCHER_MALFORMED', { scheme: 'gotong-channel', voucher: 'garbage' }],
      [
        'VOUCHER_REPLAYED',
        wire({
          scheme: 'gotong-channel',
          chainId: t.chainId,
          channels: t.channels,
          voucher: {
            channelId: a.channelId,
            cumulativeAmount: 2n * price,
            calls: 2n,
            termsHash: a.termsHash,
            envelopeHash: payeeSide.store.getVoucher(a.channelId, 2n)!.envelopeHash,
          },
          signature: payeeSide.store.getVoucher(a.channelId, 2n)!.signature,
        }),
      ],
      ['VOUCHER_TERMS_MISMATCH', await payment({ termsHash: keccak256(toHex('other terms')) })],
      [
        'VOUCHER_BAD_SIGNATURE',
        await payment({}, { by: privateKeyToAccount(t.account(3).privateKey) }),
      ],
      ['VOUCHER_QUOTA_EXCEEDED', await payment({ calls: 10n, cumulativeAmount: 10n * price })],
      ['VOUCHER_UNKNOWN_CHANNEL', await payment({ channelId: keccak256(toHex('nope')) })],
      // Bound to a request, offered where none is (a wire-form voucher must carry zero).
      ['VOUCHER_REQUEST_MISMATCH', await payment({ envelopeHash: keccak256(toHex('a request')) })],
    ]
    const snapshot = () => ({
      vouchers: payeeSide.store.listVouchers(),
      a: { ...payeeSide.store.getChannel(a.channelId)!, checkedAt: 0 },
      b: { ...payeeSide.store.getChannel(b.channelId)!, checkedAt: 0 },
    })
    const before = snapshot()
    const codes: string[] = []
    for (const [code, bad, call] of cases) {
      const error = await payeeSide.payee.acceptVoucher(bad, call).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error, code).toBeInstanceOf(VoucherRejectedError)
      expect((error as VoucherRejectedError).code, JSON.stringify(bad)).toBe(code)
      codes.push(code)
      expect(snapshot()).toEqual(before)
    }
    expect(new Set(codes).size).toBe(13)
    // The honest next voucher still goes through, and the replayed one told the payer where it stands.
    const ok = await payeeSide.payee.acceptVoucher(await payment({}))
    expect(ok.voucher.calls).toBe(3n)
    await ok.rollback()
  })

  test('an expired agreement is refused with VOUCHER_AGREEMENT_EXPIRED', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(2)
    const ch = await t.channel(payerSide, payeeSide, { terms: { validUntil: 1_000n } })
    await expect(t.call(payerSide, payeeSide, ch, 1)).rejects.toMatchObject({
      code: 'VOUCHER_AGREEMENT_EXPIRED',
      wireReason: 'expired',
    })
  })
})

describe('concurrency', () => {
  test('100 concurrent vouchers on one channel are accepted to the exact sum', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(2)
    const ch = await t.channel(payerSide, payeeSide, { deposit: 500_000n })
    const before = await t.balance(payeeSide.payee.address)
    const issued = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        payerSide.payer.createVoucher({
          channelId: ch.channelId,
          termsHash: ch.termsHash,
          amount: price,
          requestHash: keccak256(toHex(i)),
        }),
      ),
    )
    // They reach the payee out of order (a fixed permutation, not Math.random).
    const order = issued.map((_, i) => (i * 37) % 100)
    const tickets = await Promise.all(
      order.map((i) =>
        payeeSide.payee.acceptVoucher(wire(issued[i]!.payment), {
          requestHash: keccak256(toHex(i)),
        }),
      ),
    )
    await Promise.all(
      tickets.map((ticket, j) => ticket.commit({ responseHash: keccak256(toHex(order[j]!)) })),
    )
    expect(new Set(tickets.map((x) => x.voucher.calls)).size).toBe(100)
    expect((await payeeSide.settler.claim(ch.channelId))?.amount).toBe(100n * price)
    expect(await t.balance(payeeSide.payee.address)).toBe(before + 100n * price)
  })

  test('budget limits hold with 50 concurrent paid calls: spend ≤ limit', async () => {
    const swarm = createBudget('swarm', { max: 20n * price })
    const payerSide = t.payerOf(1, { budget: swarm.child('agent') })
    const payeeSide = t.payeeOf(2)
    const ch = await t.channel(payerSide, payeeSide, { deposit: 500_000n })
    const before = await t.balance(payeeSide.payee.address)
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, n) => t.call(payerSide, payeeSide, ch, n)),
    )
    const refused = results.filter((r) => r.status === 'rejected')
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20)
    expect(
      refused.every((r) => (r as PromiseRejectedResult).reason instanceof BudgetExceededError),
    ).toBe(true)
    expect(swarm.spent()).toBe(20n * price)
    expect(swarm.reserved()).toBe(0n)
    // Nothing beyond the limit was ever signed: the payee saw exactly 20 vouchers.
    expect(payerSide.payer.vouchers(ch.channelId)).toHaveLength(20)
    await payeeSide.settler.claim(ch.channelId)
    expect(await t.balance(payeeSide.payee.address)).toBe(before + 20n * price)
  })
})
