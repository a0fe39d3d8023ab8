import { type Agreement, gotongDomain, hashAgreement, type SignedAgreement } from '@gotong/core'
import pg from 'pg'
import { type Hex, keccak256, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  createTestDatabase,
  startTestPostgres,
  type TestPostgres,
} from '../../../test/support/postgres.js'
import { createPgAgreementStore, type PgAgreementStore } from '../src/pg.js'

let postgres: TestPostgres
let database: Awaited<ReturnType<typeof createTestDatabase>>
const opened: PgAgreementStore[] = []
beforeAll(async () => {
  postgres = await startTestPostgres()
  database = await createTestDatabase(postgres.url)
}, 60_000)
afterAll(async () => {
  await Promise.allSettled(opened.map((s) => s.close()))
  await database?.drop()
  postgres?.stop()
})

const schema = 'payee_agreements'
/** One replica's store on the provider's schema. */
async function replica() {
  const store = await createPgAgreementStore({ url: database.url, schema })
  opened.push(store)
  return store
}

const domain = gotongDomain({
  chainId: 31337,
  verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
})
/** A countersigned agreement for `toolId` at `price` (signatures are not the store's to check). */
function signed(toolId: bigint, price: bigint): SignedAgreement {
  const agreement: Agreement = {
    consumer: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    provider: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    registry: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
    toolId,
    manifestHash: keccak256(toHex(`manifest ${toolId}`)),
    token: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
    pricePerCall: price,
    maxCalls: 100n,
    validUntil: 2_000_000_000n,
    p95LatencyMs: 0,
    callsPerMinute: 0,
    nonce: keccak256(toHex(`nonce ${toolId} ${price}`)),
  }
  return {
    agreement,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract,
    termsHash: hashAgreement(agreement, domain),
    consumerSignature: `0x${'11'.repeat(65)}`,
    providerSignature: `0x${'22'.repeat(65)}`,
  }
}

describe('agreements and negotiations in the PostgreSQL ledger', () => {
  test('an agreement saved by one replica is read by another; a row whose terms no longer hash to its key is no agreement', async () => {
    const [a, b] = [await replica(), await replica()]
    const cheap = signed(1n, 1_000n)
    await a.saveAgreement(cheap)
    await a.saveAgreement(cheap)
    expect(await b.getAgreement(cheap.termsHash)).toEqual(cheap)
    expect(await b.getAgreement(keccak256(toHex('no such terms')))).toBeUndefined()

    // Someone with the database edits the price: the row no longer names those terms.
    const dear = signed(2n, 10_000n)
    await a.saveAgreement(dear)
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    try {
      await client.query(
        `UPDATE ${schema}.agreements SET signed = jsonb_set(signed, '{agreement,pricePerCall}', '"1"') WHERE terms_hash = $1`,
        [dear.termsHash.toLowerCase()],
      )
    } finally {
      await client.end()
    }
    expect(await b.getAgreement(dear.termsHash)).toBeUndefined()
  })

  test("two replicas taking messages of one negotiation at once take them in turn: each step sees the other's state", async () => {
    const [a, b] = [await replica(), await replica()]
    const cfpId = keccak256(toHex('cfp 1')) as Hex
    // Each step reads the state, yields for a while, and writes what it read plus its name: with
    // no lock, both would read nothing and one write would be lost.
    const step = (name: string) => (saved: string | undefined) =>
      new Promise<{ state: string; result: string }>((resolve) =>
        setTimeout(() => resolve({ state: `${saved ?? ''}${name}`, result: saved ?? '' }), 50),
      )
    const seen = await Promise.all([
      a.negotiation(cfpId, step('a')),
      b.negotiation(cfpId, step('b')),
    ])
    expect([...seen].sort()).toEqual(['', seen.includes('a') ? 'a' : 'b'])
    const final = await a.negotiation(cfpId, async (saved) => ({ state: saved!, result: saved }))
    expect(['ab', 'ba']).toContain(final)
  })

  test('a step that fails saves nothing: the next finds the state as it was', async () => {
    const store = await replica()
    const cfpId = keccak256(toHex('cfp 2')) as Hex
    await store.negotiation(cfpId, async () => ({ state: 'offered', result: undefined }))
    await expect(
      store.negotiation(cfpId, async () => {
        throw new Error('the replica died mid-message')
      }),
    ).rejects.toThrow('mid-message')
    expect(
      await store.negotiation(cfpId, async (saved) => ({ state: saved!, result: saved })),
    ).toBe('offered')
  })

  test('exclusively: replicas never run the same named section at once', async () => {
    const [a, b, c] = [await replica(), await replica(), await replica()]
    let inside = 0
    let most = 0
    const section = () =>
      new Promise<void>((resolve) => {
        inside++
        most = Math.max(most, inside)
        setTimeout(() => {
          inside--
          resolve()
        }, 30)
      })
    await Promise.all([a, b, c].map((s) => s.exclusively('publish doubler', section)))
    expect(most).toBe(1)
  })
})
