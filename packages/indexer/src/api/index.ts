import { db, publicClients } from 'ponder:api'
import { InvalidInputError } from '@gotong/core'
import { createSearch, type SearchParameters, toWireJson } from '@gotong/directory/node'
import { Hono } from 'hono'
import type { Address } from 'viem'
import { getBlockNumber } from 'viem/actions'
import { readIndexerEnv } from '../../node/indexerEnv.js'
import { pgSource, type Queryable } from '../../node/pgSource.js'

// The directory's search over HTTP, answering exactly what `index.search()` answers against a
// local SQLite index (the same search code, over PostgreSQL), with the block it was read at.

const env = readIndexerEnv(process.env)
const client = publicClients.chain
const search = createSearch({
  client,
  address: env.directory as Address,
  ready: async () => ({ chainId: env.chainId }),
})
type Pool = { connect(): Promise<Queryable & { release(): void }> }
const pool = (db as unknown as { $client: Pool }).$client

/** A block Ponder has indexed whole: its checkpoint, less one if it stopped inside the block. */
function blockOf(checkpoint: string | undefined): bigint | null {
  if (!checkpoint) return null
  const block = BigInt(checkpoint.slice(26, 42))
  return /^9+$/.test(checkpoint.slice(42)) ? block : block - 1n
}

/**
 * Runs `work` in one read-only snapshot, so rows, statistics and the block they belong to agree
 * even while Ponder commits blocks (or rolls them back).
 */
async function snapshot<T>(work: (db: Queryable, block: bigint | null) => Promise<T>) {
  const connection = await pool.connect()
  try {
    await connection.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    const checkpoint = await connection.query<{ latest_checkpoint: string }>(
      "SELECT latest_checkpoint FROM _ponder_checkpoint WHERE chain_name = 'chain'",
    )
    const block = blockOf(checkpoint.rows[0]?.latest_checkpoint)
    const result = await work(connection, block)
    await connection.query('COMMIT')
    return result
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    connection.release()
  }
}

const app = new Hono()

app.onError((error, c) => {
  if (error instanceof InvalidInputError)
    return c.json({ code: error.code, message: error.shortMessage, issues: error.issues }, 400)
  console.error(error)
  return c.json({ code: 'INTERNAL', message: error.message }, 500)
})

const json = (body: unknown) =>
  new Response(toWireJson(body), { headers: { 'content-type': 'application/json' } })

app.get('/directory/status', async () => {
  const [state, head] = await Promise.all([
    snapshot(async (tx, block) => {
      const stat = await tx.query<{ logs: string }>('SELECT logs FROM directory_stat WHERE id = 0')
      return { block, logs: BigInt(stat.rows[0]?.logs ?? 0) }
    }),
    getBlockNumber(client, { cacheTime: 0 }),
  ])
  return json({
    ...state,
    head,
    chainId: env.chainId,
    address: env.directory,
    fromBlock: BigInt(env.startBlock),
  })
})

app.post('/directory/search', async (c) => {
  const body: unknown = await c.req.json().catch(() => undefined)
  const answer = await snapshot(async (tx, block) => ({
    block,
    results: await search.search(pgSource(tx), () => block ?? -1n, body as SearchParameters),
  }))
  return json(answer)
})

app.get('/directory/tools/:toolId', async (c) => {
  const answer = await snapshot(async (tx, block) => ({
    block,
    listing: (await search.getListing(pgSource(tx), c.req.param('toolId'))) ?? null,
  }))
  return json(answer)
})

export default app
