import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClients } from '@gotong/chain'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { gotongTokenAbi } from '@gotong/contracts'
import { bigintReplacer } from '@gotong/core'
import { type Hex, keccak256, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  createTestDatabase,
  startTestPostgres,
  type TestPostgres,
} from '../../../test/support/postgres.js'
import {
  type ConsumerTally,
  payCalls,
  type Replica,
  startNginx,
  startReplica,
} from '../../../test/support/replicas.js'
import { privateKeySigner } from '../src/index.js'
import { createSqlitePayerStore } from '../src/node.js'
import { readChannel } from '../src/payee.js'
import { createPayer, openChannel } from '../src/payer.js'
import { createPgPayeeStore } from '../src/pg.js'

const price = 2_000n
const consumers = 30
const callsEach = 100

let devnet: Devnet
let postgres: TestPostgres
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let dir: string
const replicas: Replica[] = []
let nginx: Awaited<ReturnType<typeof startNginx>> | undefined
beforeAll(async () => {
  ;[devnet, postgres] = await Promise.all([
    startDevnet({ accounts: consumers + 2 }),
    startTestPostgres(),
  ])
  database = await createTestDatabase(postgres.url)
  dir = mkdtempSync(join(tmpdir(), 'gotong-replicas-'))
}, 60_000)
afterAll(async () => {
  for (const r of replicas) r.stop()
  await Promise.all(replicas.map((r) => r.exited))
  await nginx?.stop()
  await database?.drop()
  postgres?.stop()
  await devnet?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('three provider replicas behind nginx on one PostgreSQL ledger', () => {
  test('3,000 paid calls from 30 consumers, one replica killed (kill -9) midway: chain = shared ledger = consumer ledgers, no call charged twice', async () => {
    const { paymentChannels: channels, gotongToken: token } = devnet.deployments!.contracts
    const chainId = devnet.chainId
    const provider = devnet.accounts[1]!
    const config = {
      url: database!.url,
      schema: 'provider',
      rpcUrl: devnet.rpcUrl,
      chainId,
      channels,
      privateKey: provider.privateKey,
    }
    // Replica 0 dies (SIGKILL) right after accepting a voucher, about a third of the way in.
    for (const dieAfter of [callsEach * 4, undefined, undefined])
      replicas.push(await startReplica({ ...config, ...(dieAfter ? { dieAfter } : {}) }))
    nginx = await startNginx(replicas.map((r) => r.port))
    const { publicClient } = createClients({ rpcUrl: devnet.rpcUrl, chainId })
    const balance = () =>
      publicClient.readContract({
        address: token,
        abi: gotongTokenAbi,
        functionName: 'balanceOf',
        args: [provider.address],
      })
    const before = await balance()

    const sides = await Promise.all(
      devnet.accounts.slice(2, consumers + 2).map(async (account, i) => {
        // Power-loss durability of the consumers' books is not what this test is about.
        const store = createSqlitePayerStore(join(dir, `consumer-${i}.sqlite`), {
          synchronous: 'normal',
        })
        const payer = createPayer({
          store,
          signer: privateKeySigner(account.privateKey),
          chainId,
          channels,
        })
        const { walletClient } = createClients({
          rpcUrl: devnet.rpcUrl,
          chainId,
          privateKey: account.privateKey,
        })
        const deposit = BigInt(callsEach) * price
        const opened = await openChannel(walletClient!, publicClient, {
          channels,
          payee: provider.address,
          token,
          deposit,
          challengePeriod: 600,
        })
        payer.trackChannel({ key: opened.key, deposit })
        const termsHash = keccak256(toHex(`terms of consumer ${i}`))
        const funded = await fetch(`${nginx!.url}/fund`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(
            { key: opened.key, consumer: account.address, token, price, termsHash },
            bigintReplacer,
          ),
        })
        expect(funded.status).toBe(200)
        return { payer, store, channel: { channelId: opened.channelId, termsHash } }
      }),
    )

    const tallies: ConsumerTally[] = await Promise.all(
      sides.map((side, i) =>
        payCalls({
          url: nginx!.url,
          payer: side.payer,
          channel: side.channel,
          price,
          calls: callsEach,
          tag: `consumer ${i}`,
        }),
      ),
    )
    const died = await replicas[0]!.dying
    await replicas[0]!.exited
    expect(replicas[0]!.child.signalCode).toBe('SIGKILL')

    // Every call answered once, on more than one replica; the consumers' own ledgers agree.
    expect(tallies.map((t) => t.served)).toEqual(sides.map(() => callsEach))
    expect(tallies.some((t) => t.retries > 0)).toBe(true)
    expect(new Set(tallies.flatMap((t) => [...t.replicas])).size).toBe(3)
    for (const side of sides) {
      expect(side.payer.vouchers(side.channel.channelId, 'served')).toHaveLength(callsEach)
      expect(side.payer.getChannel(side.channel.channelId)!.cumulative).toBe(
        BigInt(callsEach) * price,
      )
    }

    // The shared ledger: every call committed once, nothing left pending, including the call
    // the killed replica was running, which its consumer's retry settled on another.
    const ledger = await createPgPayeeStore({ url: database!.url, schema: 'provider' })
    try {
      expect(await ledger.listVouchers({ status: 'pending' })).toEqual([])
      expect(await ledger.getVoucher(died.channelId, BigInt(died.calls))).toMatchObject({
        status: 'committed',
      })
      for (const side of sides) {
        const committed = await ledger.listVouchers({
          channelId: side.channel.channelId,
          status: 'committed',
        })
        expect(committed.map((v) => v.calls)).toEqual(
          Array.from({ length: callsEach }, (_, k) => BigInt(k + 1)),
        )
        expect(committed.at(-1)!.cumulativeAmount).toBe(BigInt(callsEach) * price)
      }

      // One settler for the replicas: the first asked claims every channel, the other nothing.
      const settle = async (r: Replica) =>
        (
          (await (await fetch(`${r.url}/settle`, { method: 'POST', body: '{}' })).json()) as {
            claims: { channelId: Hex; amount: string }[]
          }
        ).claims
      const [first, second] = [await settle(replicas[1]!), await settle(replicas[2]!)]
      expect([first.length, second.length]).toEqual([consumers, 0])

      // The chain: each channel claimed to the unit of the ledger, the provider paid once per call.
      for (const side of sides) {
        const onChain = await readChannel(publicClient, {
          channels,
          channelId: side.channel.channelId,
        })
        expect(onChain.claimed).toBe(BigInt(callsEach) * price)
        expect((await ledger.getChannel(side.channel.channelId))!.claimed).toBe(onChain.claimed)
      }
      expect((await ledger.listClaims()).length).toBe(consumers)
      expect((await balance()) - before).toBe(BigInt(consumers * callsEach) * price)
    } finally {
      await ledger.close()
      for (const side of sides) side.store.close()
    }
  }, 300_000)
})
