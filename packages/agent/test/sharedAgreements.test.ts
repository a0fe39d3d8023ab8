import { contentHash, WireError } from '@gotong/core'
import type { IssuedVoucher } from '@gotong/payments/payer'
import { createHttpClient } from '@gotong/transport'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import {
  createTestDatabase,
  startTestPostgres,
  type TestPostgres,
} from '../../../test/support/postgres.js'
import { freePort } from '../../../test/support/replicas.js'
import { defineTool } from '../src/index.js'
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

/** A second tool of the same provider, ten times the price. */
const wordStatsPro = defineTool({ ...wordStats, name: 'word-stats-pro' })

describe('agreements in the shared ledger', () => {
  test("a replica serves calls under an agreement another replica signed, for that agreement's tool only: a cheap tool's terms buy nothing from a dear one", async () => {
    const url = database!.url
    const port = await freePort()
    // Replica A stands where the listings point (as a balancer would); B serves the same tools.
    const publicUrl = `http://127.0.0.1:${port}`
    const a = await t.agent(1, { name: 'replica-a', ledger: { url }, port, publicUrl })
    const cheap = await a.serve(wordStats, { price: '0.001' })
    const dear = await a.serve(wordStatsPro, { price: '0.01' })
    const b = await t.agent(1, { name: 'replica-b', ledger: { url }, publicUrl })
    // The same manifests: B publishes nothing and serves A's listings.
    const [cheapB, dearB] = [
      await b.serve(wordStats, { price: '0.001' }),
      await b.serve(wordStatsPro, { price: '0.01' }),
    ]
    expect([cheapB.toolId, cheapB.manifestHash, dearB.toolId, dearB.manifestHash]).toEqual([
      cheap.toolId,
      cheap.manifestHash,
      dear.toolId,
      dear.manifestHash,
    ])

    // The consumer agrees on the cheap tool with A and pays one call there.
    const consumer = await t.agent(2, { name: 'consumer', callsPerChannel: 20n })
    await consumer.call(cheap.toolId, { text: 'first call' })
    const { channelId, termsHash } = consumer.ledger().paid[0]!

    // Straight to B, signed by the consumer, with a voucher on that channel.
    const client = createHttpClient({
      signer: privateKeyToAccount(t.devnet.accounts[2]!.privateKey),
      chainId: t.devnet.chainId,
      peers: { [a.address]: b.url! },
    })
    const send = async (tool: string, text: string) => {
      const input = { text }
      const requestHash = contentHash({ tool, termsHash: termsHash.toLowerCase(), input })
      // The call's voucher authenticates it: signed for the envelope it goes out in.
      let issued: IssuedVoucher | undefined
      try {
        const answer = await client.request(
          a.address,
          `tools/${tool}/call`,
          { termsHash, input },
          {
            result: z.object({ output: z.unknown(), receipt: z.unknown() }),
            authenticate: {
              field: 'payment',
              attach: async (envelopeHash) => {
                issued = await consumer.payer.createVoucher({
                  channelId,
                  termsHash,
                  amount: 1_000n,
                  requestHash,
                  envelopeHash,
                })
                return issued.payment
              },
            },
          },
        )
        consumer.payer.confirm(issued!, answer.receipt, requestHash)
        return answer.output
      } catch (error) {
        if (issued) consumer.payer.fail(issued)
        throw error
      }
    }
    // The dear tool at the cheap tool's terms: no such agreement there, nothing accepted.
    const refused = await send('word-stats-pro', 'one dear call').catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(WireError)
    expect((refused as WireError).data?.code).toBe('AGREEMENT_UNKNOWN')
    // The cheap tool on B, under A's agreement, loaded from the ledger.
    expect(await send('word-stats', 'two words')).toEqual({
      words: 2,
      characters: 9,
      longest: 'words',
    })
    const earned = await b.earned()
    expect(earned.filter((v) => v.channelId === channelId).map((v) => [v.calls, v.status])).toEqual(
      [
        [1n, 'committed'],
        [2n, 'committed'],
      ],
    )
    expect(earned.at(-1)!.cumulativeAmount).toBe(2_000n)
  })
})
