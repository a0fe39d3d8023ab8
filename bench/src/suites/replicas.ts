import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClients } from '@gotong/chain'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { bigintReplacer } from '@gotong/core'
import { privateKeySigner } from '@gotong/payments'
import { createSqlitePayerStore } from '@gotong/payments/node'
import { createPayer, openChannel } from '@gotong/payments/payer'
import pg from 'pg'
import { keccak256, toHex } from 'viem'
import { startTestPostgres } from '../../../test/support/postgres.js'
import { payCalls, type Replica, startNginx, startReplica } from '../../../test/support/replicas.js'
import type { Suite } from '../harness.js'

/**
 * Paid calls per second through nginx to 1, 2 and 3 replicas of one provider (separate
 * processes, the same key) on one PostgreSQL payee ledger, from consumers in this process,
 * each on its own channel, calling one after another. PostgreSQL is `GOTONG_BENCH_DATABASE_URL`
 * (or `GOTONG_TEST_DATABASE_URL`), else a throwaway cluster as the tests make.
 */
export const replicas: Suite = {
  name: 'replicas',
  title: 'Provider replicas behind nginx on one PostgreSQL ledger: paid calls/s with 1, 2, 3',
  async run(ctx) {
    const consumers = ctx.quick ? 3 : 24
    const calls = ctx.quick ? 5 : 40
    const rounds = ctx.quick ? 1 : 3
    const warmup = ctx.quick ? 1 : 5
    const price = 2_000n
    const given = process.env.GOTONG_BENCH_DATABASE_URL
    const postgres = given ? { url: given, stop() {} } : await startTestPostgres()
    const dir = mkdtempSync(join(tmpdir(), 'gotong-bench-replicas-'))
    let devnet: Devnet | undefined
    const running: Replica[] = []
    const fronts: Awaited<ReturnType<typeof startNginx>>[] = []
    const stores: ReturnType<typeof createSqlitePayerStore>[] = []
    const database = `gotong_bench_replicas_${process.pid}`
    const admin = new pg.Client({ connectionString: postgres.url })
    await admin.connect()
    try {
      await admin.query(`CREATE DATABASE ${database}`)
      const url = new URL(postgres.url)
      url.pathname = `/${database}`
      devnet = await startDevnet({ accounts: consumers + 2 })
      const { chainId, rpcUrl } = devnet
      const { paymentChannels: channels, gotongToken: token } = devnet.deployments!.contracts
      const provider = devnet.accounts[1]!
      const { publicClient } = createClients({ rpcUrl, chainId })
      // All three set-ups stay up, measured in turns, so a busy machine weighs on each alike.
      const setups = []
      for (const n of [1, 2, 3]) {
        const config = {
          url: url.toString(),
          schema: `replicas_${n}`,
          rpcUrl,
          chainId,
          channels,
          privateKey: provider.privateKey,
        }
        const mine: Replica[] = []
        for (let i = 0; i < n; i++) mine.push(await startReplica(config))
        running.push(...mine)
        const front = await startNginx(mine.map((r) => r.port))
        fronts.push(front)
        const sides = await Promise.all(
          devnet.accounts.slice(2, consumers + 2).map(async (account, i) => {
            const store = createSqlitePayerStore(join(dir, `consumer-${n}-${i}.sqlite`), {
              synchronous: 'normal',
            })
            stores.push(store)
            const payer = createPayer({
              store,
              signer: privateKeySigner(account.privateKey),
              chainId,
              channels,
            })
            const { walletClient } = createClients({
              rpcUrl,
              chainId,
              privateKey: account.privateKey,
            })
            const deposit = BigInt(rounds * calls + warmup) * price
            const opened = await openChannel(walletClient!, publicClient, {
              channels,
              payee: provider.address,
              token,
              deposit,
              challengePeriod: 600,
            })
            payer.trackChannel({ key: opened.key, deposit })
            const termsHash = keccak256(toHex(`bench ${n} ${i}`))
            const funded = await fetch(`${front.url}/fund`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(
                { key: opened.key, consumer: account.address, token, price, termsHash },
                bigintReplacer,
              ),
            })
            if (funded.status !== 200) throw new Error(`fund: ${await funded.text()}`)
            return { payer, channel: { channelId: opened.channelId, termsHash } }
          }),
        )
        const round = (count: number, tag: string) =>
          Promise.all(
            sides.map((side, i) =>
              payCalls({
                url: front.url,
                payer: side.payer,
                channel: side.channel,
                price,
                calls: count,
                tag: `${tag} ${i}`,
              }),
            ),
          )
        await round(warmup, `warm ${n}`)
        setups.push({ n, round, rates: [] as number[] })
      }
      const load = loadavg()[0]!
      for (let r = 0; r < rounds; r++)
        for (const setup of setups) {
          const start = performance.now()
          await setup.round(calls, `round ${r} ${setup.n}`)
          setup.rates.push((consumers * calls) / ((performance.now() - start) / 1000))
        }
      for (const { n, rates } of setups) {
        const figure = ctx.record({
          name: `paid calls/s, ${n} replica${n === 1 ? '' : 's'}`,
          unit: 'calls/s',
          samples: rates,
          note: `${consumers} consumers × ${calls} calls per run through nginx, ${rounds} runs taken in turns with the other set-ups; consumers in the bench process; 1-minute load average ${load.toFixed(1)} at the start`,
        })
        ctx.log(`${n} replica(s): ${figure.median.toFixed(0)} paid calls/s (median of ${rounds})`)
      }
    } finally {
      for (const store of stores) store.close()
      for (const front of fronts) await front.stop()
      for (const r of running) r.stop()
      await Promise.all(running.map((r) => r.exited))
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined)
      await admin.end()
      postgres.stop()
      await devnet?.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  },
}
