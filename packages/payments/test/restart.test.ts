import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Hex, keccak256, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { privateKeySigner } from '../src/index.js'
import { createSqlitePayeeStore, createSqlitePayerStore } from '../src/node.js'
import { createChannelReader, createPayee } from '../src/payee.js'
import { createPayer } from '../src/payer.js'
import { price, type Setup, setup, wire } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

const worker = fileURLToPath(new URL('./fixtures/payeeWorker.ts', import.meta.url))

describe('a payee killed mid-call loses nothing and charges once', () => {
  test('killed before the tool ran, after it ran, and after it committed', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(2)
    const ch = await t.channel(payerSide, payeeSide, { deposit: 100_000n })
    payeeSide.store.close()
    const toolLog = join(t.dir, 'tool.log')
    const runs = () =>
      existsSync(toolLog) ? readFileSync(toolLog, 'utf8').trim().split('\n').length : 0
    const before = await t.balance(payeeSide.payee.address)

    const serve = (payment: unknown, requestHash: Hex, kill: string) => {
      const child = spawnSync(
        process.execPath,
        [
          '--conditions=source',
          '--import',
          'tsx',
          worker,
          JSON.stringify({
            dbPath: payeeSide.path,
            rpcUrl: t.devnet.rpcUrl,
            chainId: t.chainId,
            channels: t.channels,
            privateKey: t.account(2).privateKey,
            payment,
            requestHash,
            toolLog,
            kill,
          }),
        ],
        { encoding: 'utf8', timeout: 20_000 },
      )
      if (kill !== 'never') expect(child.signal, child.stderr).toBe('SIGKILL')
      else expect(child.status, child.stderr).toBe(0)
      return kill === 'never' ? JSON.parse(child.stdout) : undefined
    }
    const restart = async () => {
      const store = createSqlitePayeeStore(payeeSide.path)
      const payee = createPayee({
        store,
        signer: privateKeySigner(t.account(2).privateKey),
        chainId: t.chainId,
        channels: t.channels,
        readChannel: createChannelReader(t.publicClient, t.channels),
      })
      const recovered = await payee.recover()
      store.close()
      return recovered.rolledBack
    }

    // 1. Killed after accepting, before the tool ran: rolled back at restart, the retry serves it.
    const r1 = keccak256(toHex('call 1'))
    const v1 = await payerSide.payer.createVoucher({
      channelId: ch.channelId,
      termsHash: ch.termsHash,
      amount: price,
      requestHash: r1,
    })
    serve(wire(v1.payment), r1, 'before-tool')
    expect(runs()).toBe(0)
    expect(await restart()).toBe(1)
    payerSide.payer.confirm(v1, serve(wire(v1.payment), r1, 'never').receipt, r1)
    expect(runs()).toBe(1)

    // 2. Killed after the tool ran, before recording it: the tool runs again, the call is paid once.
    const r2 = keccak256(toHex('call 2'))
    const v2 = await payerSide.payer.createVoucher({
      channelId: ch.channelId,
      termsHash: ch.termsHash,
      amount: price,
      requestHash: r2,
    })
    serve(wire(v2.payment), r2, 'after-tool')
    expect(await restart()).toBe(1)
    payerSide.payer.confirm(v2, serve(wire(v2.payment), r2, 'never').receipt, r2)
    expect(runs()).toBe(3)

    // 3. Killed after committing, before answering: the retry is told it was served, with the receipt.
    const r3 = keccak256(toHex('call 3'))
    const v3 = await payerSide.payer.createVoucher({
      channelId: ch.channelId,
      termsHash: ch.termsHash,
      amount: price,
      requestHash: r3,
    })
    serve(wire(v3.payment), r3, 'after-commit')
    expect(await restart()).toBe(0)
    const answer = serve(wire(v3.payment), r3, 'never')
    expect(answer.rejected).toBe('VOUCHER_REPLAYED')
    payerSide.payer.confirm(v3, answer.data.receipt, r3)
    expect(runs()).toBe(4)

    // Three calls served, three paid, on chain.
    const reopened = t.payeeOf(2, { path: payeeSide.path })
    expect(reopened.store.listVouchers({ status: 'committed' })).toHaveLength(3)
    expect((await reopened.settler.claim(ch.channelId))?.amount).toBe(3n * price)
    expect(await t.balance(payeeSide.payee.address)).toBe(before + 3n * price)
    expect(payerSide.payer.vouchers(ch.channelId).map((v) => v.status)).toEqual([
      'served',
      'served',
      'served',
    ])
  }, 120_000)
})

describe('a restarted payer never signs a lower or duplicate amount', () => {
  test('totals survive a restart; a voucher recorded but never signed is reused, not skipped', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(2)
    const ch = await t.channel(payerSide, payeeSide, { deposit: 100_000n })
    for (let n = 1; n <= 3; n++) await t.call(payerSide, payeeSide, ch, n)
    payerSide.store.close()

    // A synchronous signer signs inside the transaction that records the voucher: one that
    // fails leaves nothing recorded, as a process killed mid-transaction would.
    let store = createSqlitePayerStore(payerSide.path)
    const failing = createPayer({
      store,
      signer: {
        address: payerSide.payer.address,
        signDigest: () => {
          throw new Error('power cut')
        },
      },
      chainId: t.chainId,
      channels: t.channels,
    })
    await expect(
      failing.createVoucher({ channelId: ch.channelId, termsHash: ch.termsHash, amount: price }),
    ).rejects.toThrow('power cut')
    expect(store.getChannel(ch.channelId)).toMatchObject({ calls: 3n, cumulative: 3n * price })
    expect(store.listVouchers(ch.channelId)).toHaveLength(3)

    // An account signer answers later: the process "dies" while it signs voucher 4, which was
    // recorded and never handed out.
    const waiting = createPayer({
      store,
      signer: { address: payerSide.payer.address, signDigest: () => new Promise<Hex>(() => {}) },
      chainId: t.chainId,
      channels: t.channels,
    })
    void waiting.createVoucher({ channelId: ch.channelId, termsHash: ch.termsHash, amount: price })
    expect(store.getVoucher(ch.channelId, 4n)).toMatchObject({
      status: 'issued',
      signature: undefined,
    })
    store.close()

    store = createSqlitePayerStore(payerSide.path)
    const payer = createPayer({
      store,
      signer: privateKeySigner(t.account(1).privateKey),
      chainId: t.chainId,
      channels: t.channels,
    })
    expect(payer.recover()).toEqual({ reusable: 1, inDoubt: [] })
    const next = await payer.createVoucher({
      channelId: ch.channelId,
      termsHash: ch.termsHash,
      amount: price,
    })
    expect(next.reused).toBe(true)
    expect(next.payment.voucher).toMatchObject({ calls: 4n, cumulativeAmount: 4n * price })
    const after = await payer.createVoucher({
      channelId: ch.channelId,
      termsHash: ch.termsHash,
      amount: price,
    })
    expect(after.payment.voucher).toMatchObject({ calls: 5n, cumulativeAmount: 5n * price })
    // The payee takes both: nothing was skipped, nothing repeated.
    for (const issued of [next, after]) {
      const ticket = await payeeSide.payee.acceptVoucher(wire(issued.payment))
      await ticket.commit({ responseHash: keccak256(toHex('ok')) })
    }
    expect(payeeSide.store.highestCommitted(ch.channelId)?.cumulativeAmount).toBe(5n * price)

    // A call that definitely failed gives its voucher to the next call.
    const failed = await payer.createVoucher({
      channelId: ch.channelId,
      termsHash: ch.termsHash,
      amount: price,
    })
    payer.fail(failed)
    const retry = await payer.createVoucher({
      channelId: ch.channelId,
      termsHash: ch.termsHash,
      amount: price,
    })
    expect(retry.payment).toEqual(failed.payment)
    store.close()
  })
})
