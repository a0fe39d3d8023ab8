import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { gotongTokenAbi } from '@gotong/contracts'
import { readChannel } from '@gotong/payments/payee'
import { createPgAgreementStore } from '@gotong/payments/pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  createTestDatabase,
  startTestPostgres,
  type TestPostgres,
} from '../../../test/support/postgres.js'
import { freePort, startNginx } from '../../../test/support/replicas.js'
import { type Agent, AgentError, type CreateAgentParameters, createAgent } from '../src/index.js'
import { type AgentReplica, startAgentReplica } from './support/startAgentReplica.js'

const consumers = 10
const callsEach = 30
const price = 2_000n

let devnet: Devnet
let postgres: TestPostgres
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let dir: string
const replicas: AgentReplica[] = []
const agents: Agent[] = []
let nginx: Awaited<ReturnType<typeof startNginx>> | undefined
beforeAll(async () => {
  ;[devnet, postgres] = await Promise.all([
    startDevnet({ accounts: consumers + 2 }),
    startTestPostgres(),
  ])
  database = await createTestDatabase(postgres.url)
  dir = mkdtempSync(join(tmpdir(), 'gotong-agent-replicas-'))
}, 60_000)
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()))
  for (const agent of agents) await agent.stop()
  await nginx?.stop()
  await database?.drop()
  postgres?.stop()
  await devnet?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('three provider agents with one key behind nginx on one PostgreSQL ledger', () => {
  test('10 consumers negotiate, fund and make 30 paid calls each through the balancer, one replica killed (kill -9) mid-call: one listing, chain = shared ledger = consumer ledgers, no call charged twice', async () => {
    const network = {
      rpcUrl: devnet.rpcUrl,
      chainId: devnet.chainId,
      deployments: devnet.deployments!,
    } as CreateAgentParameters['network']
    const { gotongToken: token, paymentChannels: channels } = network.deployments.contracts
    const provider = devnet.accounts[1]!
    const [balancer, ...ports] = await Promise.all([0, 1, 2, 3].map(() => freePort()))
    const publicUrl = `http://127.0.0.1:${balancer}`
    const config = (i: number) => ({
      privateKey: provider.privateKey,
      network,
      store: join(dir, `replica-${i}`),
      ledgerUrl: database!.url,
      publicUrl,
      port: ports[i]!,
    })
    // Started together: one publishes, the others find its listing (same manifest) and serve
    // it. Replica 0 dies inside its 25th call's handler, its voucher accepted: a quarter in.
    replicas.push(
      ...(await Promise.all(
        [0, 1, 2].map((i) =>
          startAgentReplica({ ...config(i), ...(i === 0 ? { dieAfter: 25 } : {}) }),
        ),
      )),
    )
    // Started once they listen: nginx would otherwise mark them down (refused) for 10 s.
    nginx = await startNginx(ports, { port: balancer! })
    const { toolId, manifestHash } = replicas[0]!
    expect(replicas.map((r) => [r.toolId, r.manifestHash])).toEqual(
      replicas.map(() => [toolId, manifestHash]),
    )

    const balance = (who: `0x${string}`) =>
      devnet.publicClient.readContract({
        address: token,
        abi: gotongTokenAbi,
        functionName: 'balanceOf',
        args: [who],
      })
    const before = await balance(provider.address)
    for (let i = 0; i < consumers; i++)
      agents.push(
        await createAgent({
          account: devnet.accounts[i + 2]!.privateKey,
          network,
          name: `consumer-${i}`,
          store: join(dir, `consumer-${i}`),
          callsPerChannel: BigInt(callsEach),
          identity: false,
        }),
      )

    // One listing for the three, naming the balancer.
    await agents[0]!.index.sync()
    const mine = await agents[0]!.index.search({
      creator: provider.address,
      limit: 100,
      requirements: false,
    })
    const listings = mine.flatMap((hit) => hit.offers)
    expect(listings.map((l) => [l.toolId, l.manifestHash])).toEqual([[toolId, manifestHash]])
    expect(listings[0]!.manifest?.endpoint).toBe(`${nginx.url}/tools/doubler`)

    let unavailable = 0
    await Promise.all(
      agents.map(async (consumer, c) => {
        for (let n = 1; n <= callsEach; n++) {
          const input = { n: c * 1_000 + n }
          // A call whose replica died under it is sent again: the same voucher, answered once.
          for (let attempt = 0; ; attempt++) {
            try {
              const result = await consumer.call(toolId, input)
              expect(result.output).toEqual({ doubled: input.n * 2 })
              break
            } catch (error) {
              if (
                !(error instanceof AgentError && error.code === 'TOOL_UNAVAILABLE') ||
                attempt > 50
              )
                throw error
              unavailable++
            }
          }
        }
      }),
    )
    const died = await replicas[0]!.dying
    await replicas[0]!.exited
    expect(replicas[0]!.child.signalCode).toBe('SIGKILL')
    expect(unavailable).toBeGreaterThan(0)

    // Each consumer agreed once, on one replica, and its calls were answered by all three:
    // under an agreement most of them never made.
    const agreed = replicas.flatMap((r) => r.agreed)
    expect(agreed).toHaveLength(consumers)
    expect(new Set(agreed).size).toBe(consumers)
    for (const r of replicas) expect(r.served.length).toBeGreaterThan(0)
    expect(replicas.some((r) => r.served.some((h) => !r.agreed.includes(h)))).toBe(true)
    expect(agreed).toContain(died.termsHash.toLowerCase())

    // The agreements table: each consumer's terms, for this tool at its price.
    const store = await createPgAgreementStore({
      url: database!.url,
      schema: `payee_${provider.address.slice(2).toLowerCase()}`,
    })
    try {
      for (const hash of agreed) {
        const signed = await store.getAgreement(hash)
        expect(signed?.agreement).toMatchObject({ toolId, manifestHash, pricePerCall: price })
      }
    } finally {
      await store.close()
    }

    // The consumers' ledgers: every call paid once, at the agreed price.
    const channelIds = agents.map((consumer) => {
      const paid = consumer.ledger().paid
      expect(paid.map((v) => [v.calls, v.status])).toEqual(
        Array.from({ length: callsEach }, (_, k) => [BigInt(k + 1), 'served']),
      )
      expect(new Set(paid.map((v) => v.channelId)).size).toBe(1)
      expect(paid.at(-1)!.cumulativeAmount).toBe(BigInt(callsEach) * price)
      return paid[0]!.channelId
    })

    // The shared ledger, read by a fourth process with the provider's key: the same calls,
    // committed once each, nothing left pending (the killed replica's call included).
    const ledgerReader = await createAgent({
      account: provider.privateKey,
      network,
      name: 'provider-books',
      store: join(dir, 'provider-books'),
      ledger: { url: database!.url },
      claimPolicy: { minAmount: 1n },
      identity: false,
    })
    agents.push(ledgerReader)
    const earned = await ledgerReader.earned()
    expect(ledgerReader.ledger().earned).toEqual([])
    expect(earned.filter((v) => v.status !== 'committed')).toEqual([])
    for (const channelId of channelIds)
      expect(
        earned.filter((v) => v.channelId === channelId).map((v) => [v.calls, v.cumulativeAmount]),
      ).toEqual(Array.from({ length: callsEach }, (_, k) => [BigInt(k + 1), BigInt(k + 1) * price]))

    // The chain: the replicas stopped (one of them held the settler's lock), one settler
    // claims every channel to the unit of both ledgers.
    await Promise.all(replicas.map((r) => r.stop()))
    const claims = await ledgerReader.settler.settle()
    expect(claims).toHaveLength(consumers)
    for (const channelId of channelIds) {
      const onChain = await readChannel(devnet.publicClient, { channels, channelId })
      expect(onChain.claimed).toBe(BigInt(callsEach) * price)
    }
    expect((await balance(provider.address)) - before).toBe(BigInt(consumers * callsEach) * price)
  }, 300_000)
})
