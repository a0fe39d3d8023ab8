import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { privateKeySigner } from '@gotong/payments'
import { createSqlitePayeeStore } from '@gotong/payments/node'
import { createChannelReader, createPayee, createSettler } from '@gotong/payments/payee'
import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { codeOf, type Setup, setup } from './fixture.js'
import { killChildren, run } from './processes.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await killChildren()
  await t?.stop()
})

const price = 1_000n
// The full 10,000.
const calls = 10_000
const inFlight = 50
const callsPerChannel = 2_000

/** A provider agent process for account `index`, on its store (and port, when restarting). */
async function provider(index: number, store: string, port?: number) {
  const child = run('provider', {
    rpcUrl: t.devnet.rpcUrl,
    chainId: t.devnet.chainId,
    deployments: t.devnet.deployments,
    privateKey: t.key(index),
    store,
    price: price.toString(),
    name: `load-${index}`,
    toolLog: `${store}.tool.log`,
    ...(port ? { port } : {}),
  })
  const ready = (await child.line('READY')) as { toolId: string; port: number }
  return { child, index, store, toolId: BigInt(ready.toolId), port: ready.port }
}

/** A provider's books from its store after it stopped, with a settler to cash them. */
function books(index: number, store: string) {
  const payeeStore = createSqlitePayeeStore(join(store, 'payee.sqlite'))
  const payee = createPayee({
    store: payeeStore,
    signer: privateKeySigner(t.key(index)),
    chainId: t.devnet.chainId,
    channels: t.contracts.paymentChannels,
    readChannel: createChannelReader(t.devnet.publicClient, t.contracts.paymentChannels),
  })
  const settler = createSettler({
    payee,
    store: payeeStore,
    wallet: t.wallet(index),
    publicClient: t.devnet.publicClient,
    channels: t.contracts.paymentChannels,
  })
  return { store: payeeStore, settler }
}

describe('load across provider processes, one of them killed and restarted', () => {
  test('10,000 paid calls, 50 in flight, 3 providers, provider 2 killed after 5,000 and restarted: on-chain payouts, provider ledgers and consumer ledgers agree; every successful call has its receipt', async () => {
    const started = Date.now()
    const stores = [1, 2, 3].map((i) => t.store(`load-provider-${i}`))
    const providers = await Promise.all([1, 2, 3].map((i, k) => provider(i, stores[k]!)))
    // A channel is funded for `callsPerChannel` calls: with ~3,300 calls per provider, the
    // consumer uses one up and agrees on and funds the next while 50 calls are in flight.
    const consumer = await t.agent(4, { callsPerChannel: BigInt(callsPerChannel) })
    const toolIds = providers.map((p) => p.toolId)
    // One first call per provider, so the measured load starts with each relationship agreed.
    for (const toolId of toolIds) await consumer.call(toolId, { id: `warm-up-${toolId}` })
    const restarted: { toolId: bigint }[] = []

    let restart: Promise<void> | undefined
    const killAndRestart = async () => {
      const victim = providers[1]!
      victim.child.kill('SIGKILL')
      await victim.child.exited
      const back = await provider(victim.index, victim.store, victim.port)
      providers[1] = back
      // A restarted agent serves its tool under the same id (or, if it republished it, callers
      // move to the new one).
      toolIds[1] = back.toolId
      restarted.push(back)
    }
    type Outcome = {
      job: number
      provider: number
      toolId: bigint
      code: string
      receipt?: Hex
      message?: string
    }
    const outcomes: Outcome[] = []
    let next = 0
    const worker = async () => {
      while (next < calls) {
        const job = next++
        if (job === calls / 2) restart = killAndRestart()
        const p = job % 3
        const toolId = toolIds[p]!
        let receipt: Hex | undefined
        const call = consumer.call(toolId, { id: `job-${job}` }).then((result) => {
          expect(result.output).toMatchObject({ id: `job-${job}` })
          receipt = result.receipt?.signature
        })
        const code = await codeOf(call)
        const message = code === 'ok' ? undefined : await call.catch((e: Error) => e.message)
        outcomes.push({
          job,
          provider: p,
          toolId,
          code,
          ...(receipt ? { receipt } : {}),
          ...(message ? { message } : {}),
        })
      }
    }
    await Promise.all(Array.from({ length: inFlight }, worker))
    await restart
    const elapsed = Date.now() - started
    for (const p of providers) {
      p.child.kill('SIGTERM')
      expect((await p.child.exited).code).toBe(0)
    }

    // What each side says.
    const paid = consumer.ledger().paid
    const payeeOf = (channelId: Hex) =>
      consumer.payer.getChannel(channelId)!.key.payee.toLowerCase() as Address
    const channels = [...new Set(paid.map((v) => v.channelId))]
    const killed = new Set(channels.filter((id) => payeeOf(id) === t.address(2).toLowerCase()))
    const byChannel = new Map<Hex, { payout: bigint; committed: bigint; served: bigint }>()
    const committedReceipts = new Set<string>()
    const requests = new Map<string, number>()
    for (const [k, index] of [1, 2, 3].entries()) {
      const b = books(index, stores[k]!)
      for (const channel of b.store.listChannels()) {
        await b.settler.claim(channel.channelId)
        const committed = b.store.listVouchers({
          channelId: channel.channelId,
          status: 'committed',
        })
        for (const v of committed) {
          committedReceipts.add(v.receipt!.signature)
          requests.set(v.requestHash!, (requests.get(v.requestHash!) ?? 0) + 1)
        }
        byChannel.set(channel.channelId, {
          payout: await t.paidOut(channel.channelId),
          committed: BigInt(committed.length) * price,
          served: paid
            .filter((v) => v.channelId === channel.channelId && v.status === 'served')
            .reduce((sum, v) => sum + v.amount, 0n),
        })
      }
      b.store.close()
    }

    const ok = outcomes.filter((o) => o.code === 'ok')
    // Every successful call has a receipt the provider committed, and no request was paid twice.
    expect(ok.every((o) => o.receipt && committedReceipts.has(o.receipt))).toBe(true)
    expect([...requests.values()].every((n) => n === 1)).toBe(true)
    expect(outcomes).toHaveLength(calls)
    // Failures only on provider 2: while it was down, or on its agreement from before the restart.
    const failed = outcomes.filter((o) => o.code !== 'ok')
    const allowed = new Set(['TOOL_UNAVAILABLE', 'AGREEMENT_UNKNOWN'])
    const unexpected = failed.filter((o) => o.provider !== 1 || !allowed.has(o.code))
    expect(
      unexpected.map((o) => `job ${o.job}, provider ${o.provider + 1}: ${o.code} (${o.message})`),
    ).toEqual([])
    expect(ok.length).toBeGreaterThan(calls / 2)
    expect(restarted).toHaveLength(1)
    // A new channel each time one's calls were used up, once (not once per call in flight),
    // and one more for the restarted provider's calls left in doubt on its old channel.
    for (const [p, index] of [1, 2, 3].entries()) {
      const answered = ok.filter((o) => o.provider === p).length
      const own = channels.filter((id) => payeeOf(id) === t.address(index).toLowerCase())
      expect(own.length).toBeGreaterThanOrEqual(Math.ceil(answered / callsPerChannel))
      expect(own.length).toBeLessThanOrEqual(Math.ceil(answered / callsPerChannel) + 1)
    }

    // Chain = provider books = consumer books, to the unit, on every channel the kill did not cut.
    const totals = { payout: 0n, committed: 0n, served: 0n }
    for (const [channelId, sums] of byChannel) {
      totals.payout += sums.payout
      totals.committed += sums.committed
      totals.served += sums.served
      if (killed.has(channelId)) continue
      expect(sums).toEqual({ payout: sums.served, committed: sums.served, served: sums.served })
    }
    // The killed provider's channel: every receipt the consumer holds is a commit; commits it
    // never heard back about are its calls still in doubt (the consumer settles those by
    // re-sending them before it signs anything newer on that channel, so a channel abandoned
    // with calls in doubt can keep them); the chain pays the newest commit.
    const cut = { payout: 0n, committed: 0n, served: 0n }
    for (const id of killed) {
      const sums = byChannel.get(id)!
      cut.payout += sums.payout
      cut.committed += sums.committed
      cut.served += sums.served
    }
    expect(cut.served).toBeLessThanOrEqual(cut.committed)
    expect(cut.committed).toBeLessThanOrEqual(cut.payout)
    const inDoubt = paid.filter((v) => killed.has(v.channelId) && v.status === 'issued')
    expect(cut.committed - cut.served).toBeLessThanOrEqual(BigInt(inDoubt.length) * price)
    // Calls answered, plus unanswered ones settled later by re-sending them.
    expect(totals.served).toBeGreaterThanOrEqual(BigInt(ok.length + 3) * price)
    const runs = stores.map((s) =>
      existsSync(`${s}.tool.log`)
        ? readFileSync(`${s}.tool.log`, 'utf8').trim().split('\n').length
        : 0,
    )
    const channelsOf = [1, 2, 3].map(
      (i) => channels.filter((id) => payeeOf(id) === t.address(i).toLowerCase()).length,
    )
    console.info(
      `load: ${calls} calls (${ok.length} ok) in ${elapsed} ms, ${inFlight} in flight, ` +
        `channels ${channelsOf.join('/')}; ` +
        `payout ${totals.payout}, committed ${totals.committed}, served ${totals.served}; ` +
        `cut channel: served ${cut.served}, committed ${cut.committed}, paid ${cut.payout}, ` +
        `${inDoubt.length} in doubt; tool runs ${runs.join('/')}`,
    )
  })
})
