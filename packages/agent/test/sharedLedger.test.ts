import { readChannel } from '@gotong/payments/payee'
import { createPgPayeeStore } from '@gotong/payments/pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  createTestDatabase,
  startTestPostgres,
  type TestPostgres,
} from '../../../test/support/postgres.js'
import { type Setup, setup, wordStats } from './fixture.js'

let t: Setup
let postgres: TestPostgres
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
beforeAll(async () => {
  ;[t, postgres] = await Promise.all([setup(), startTestPostgres()])
  database = await createTestDatabase(postgres.url)
}, 60_000)
afterAll(async () => {
  await t?.stop()
  await database?.drop()
  postgres?.stop()
})

describe('createAgent({ ledger: { url } })', () => {
  test("a provider's vouchers go to the shared PostgreSQL ledger, where another process with its key finds them and the chain agrees", async () => {
    const url = database!.url
    const provider = await t.agent(1, { name: 'provider', ledger: { url } })
    const consumer = await t.agent(2, { name: 'consumer', callsPerChannel: 20n })
    const served = await provider.serve(wordStats, { price: '0.002' })
    await consumer.toolkit({ query: 'words' })
    for (let i = 0; i < 10; i++) await consumer.call(served.toolId, { text: `call ${i} of ten` })
    const paid = consumer.ledger().paid
    const channelId = paid[0]!.channelId
    // This process's ledger() does not read the shared ledger; the ledger itself has every call.
    expect(provider.ledger().earned).toEqual([])
    const ledger = await createPgPayeeStore({
      url,
      schema: `payee_${provider.address.slice(2).toLowerCase()}`,
    })
    try {
      const earned = await ledger.listVouchers({ channelId })
      expect(earned.map((v) => [v.calls, v.status, v.requestHash])).toEqual(
        paid.map((v) => [v.calls, 'committed', v.requestHash]),
      )

      const claim = await provider.settler.claim(channelId)
      expect(claim?.amount).toBe(10n * 2_000n)
      // A replica started later with the same key (and its own store folder) sees the claim.
      const replica = await t.agent(1, { name: 'replica', ledger: { url } })
      expect((await replica.payee.getChannel(channelId))?.claimed).toBe(10n * 2_000n)
      const onChain = await readChannel(t.devnet.publicClient, {
        channels: t.devnet.deployments!.contracts.paymentChannels,
        channelId,
      })
      expect(onChain.claimed).toBe(10n * 2_000n)
    } finally {
      await ledger.close()
    }
  })
})
