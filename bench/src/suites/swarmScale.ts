import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { type Agent, createAgent, defineTool } from '@gotong/agent'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { startIndexer } from '@gotong/indexer'
import pg from 'pg'
import { z } from 'zod'
import { type RecordParameters, rate, type Suite } from '../harness.js'

const echo = defineTool({
  name: 'echo-length',
  description: 'Returns the length of a text.',
  tags: ['text'],
  input: z.object({ text: z.string().max(1_000) }),
  output: z.object({ length: z.number().int() }),
  handler: ({ text }) => ({ length: text.length }),
})

/** Paying consumers at most with per-agent indexes, whatever the swarm's size (see where it is used). */
const maxPaying = 50

/**
 * Agents that publish, or make their first call, at the same time. Each waits on the chain and
 * on HTTP far more than it computes, so more at once keep both cores busy; a real swarm's agents
 * start independently, all at once.
 */
const setupConcurrency = Number(process.env.GOTONG_BENCH_SWARM_CONCURRENCY ?? 64)

/**
 * Consumers making their first call at the same time with per-agent indexes: each first syncs
 * its own index of every listing, CPU-bound work in this one process, and 50 at once held the
 * event loop long enough for viem's 10 s request timeout to fail a call on a busy machine.
 */
const ownIndexConcurrency = 8

/**
 * Seconds between blocks, in both modes alike: a chain that mines many transactions per block,
 * as a real one does, instead of anvil's default of one block per transaction (which serialises
 * every publish and channel open of the swarm, and gives the indexer a block for each).
 */
const blockTime = Number(process.env.GOTONG_BENCH_SWARM_BLOCK_TIME ?? 1)

/** PostgreSQL for the shared-index runs: a server's URL, or none (those runs are skipped). */
const postgresUrl = process.env.GOTONG_BENCH_DATABASE_URL ?? process.env.GOTONG_TEST_DATABASE_URL

/**
 * How the swarm's agents find tools: each its own SQLite index of the whole directory (the
 * default), or one shared index (`@gotong/indexer`, Ponder on PostgreSQL) they all query.
 */
type IndexMode = 'own' | 'shared'

/** The URL of another database on the PostgreSQL server of the shared-index runs. */
function databaseUrlOf(database: string): string {
  const url = new URL(postgresUrl!)
  url.pathname = `/${database}`
  return url.toString()
}

/** Runs one statement on the PostgreSQL server of the shared-index runs. */
async function onServer(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/** A full garbage collection, so heap figures are live objects, not garbage. */
const collect: () => void = (() => {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
})()

/** Heap and RSS after a full GC and a moment for the freed pages to go back to the system. */
async function memory() {
  for (let i = 0; i < 3; i++) {
    collect()
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const { rss, heapUsed, external } = process.memoryUsage()
  return { rss, heap: heapUsed + external }
}

function seconds(since: number) {
  return `${((performance.now() - since) / 1_000).toFixed(1)} s`
}

/** Calls answered with TOOL_UNAVAILABLE and retried, with the network errors behind them. */
const retried = { count: 0, causes: [] as string[] }

/**
 * Retries a call the agent reports as TOOL_UNAVAILABLE ("may be retried"): the consumer re-sends
 * the same voucher, so nothing is paid twice. With hundreds of agents one event loop runs late
 * and a pooled keep-alive socket can be reset by the server as it is reused.
 */
async function withRetry<T>(call: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      if ((error as { code?: string }).code !== 'TOOL_UNAVAILABLE' || attempt >= attempts)
        throw error
      retried.count++
      const cause = rootCause(error)
      if (!retried.causes.includes(cause)) retried.causes.push(cause)
    }
  }
}

function rootCause(error: unknown): string {
  let current = error as { cause?: unknown; code?: string; message?: string }
  while (current.cause) current = current.cause as typeof current
  return current.code ?? current.message ?? String(current)
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function inBatches<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
) {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        results[i] = await fn(items[i]!, i)
      }
    }),
  )
  return results
}

/**
 * Many full agents in one process, each with its own key, SQLite stores and (when serving) HTTP
 * server: memory per agent, idle and once working, and paid calls per second across the swarm
 * with half the agents serving a tool and each of the others paying one of them. Each size runs
 * in a fresh Node process, so earlier suites' garbage and freed pages do not blur the memory
 * figures.
 */
export const swarmScale: Suite = {
  name: 'swarmScale',
  title: 'Swarm scale: agents in one process, memory per agent, paid calls/s across the swarm',
  async run(ctx) {
    const sizes = process.env.GOTONG_BENCH_SWARM_SIZES
      ? process.env.GOTONG_BENCH_SWARM_SIZES.split(',').map(Number)
      : ctx.quick
        ? [5]
        : [10, 100, 1_000]
    // The shared index at the largest size only, beside the per-agent run of the same size.
    const sharedAt = process.env.GOTONG_BENCH_SWARM_SHARED
      ? process.env.GOTONG_BENCH_SWARM_SHARED.split(',').map(Number)
      : ctx.quick
        ? []
        : [Math.max(...sizes)]
    for (const size of sizes) {
      for (const figure of await inChildProcess(size, 'own', ctx.quick, ctx.log)) ctx.record(figure)
      if (!sharedAt.includes(size)) continue
      if (!postgresUrl) {
        ctx.log('shared index skipped: set GOTONG_BENCH_DATABASE_URL to a PostgreSQL server')
        continue
      }
      for (const figure of await inChildProcess(size, 'shared', ctx.quick, ctx.log))
        ctx.record(figure)
    }
  },
}

/** Runs {@link measureSwarm} for one size in a fresh Node process and returns its figures. */
function inChildProcess(
  size: number,
  mode: IndexMode,
  quick: boolean,
  log: (message: string) => void,
): Promise<RecordParameters[]> {
  const script = [
    `const { measureSwarm } = await import(${JSON.stringify(import.meta.url)})`,
    `const figures = await measureSwarm(${size}, ${JSON.stringify(mode)}, ${quick}, (m) => process.stderr.write(m + '\\n'))`,
    // Exit once written: a settler's close watcher can outlive agent.stop() (viem stops its poll
    // only after uninstalling the filter, which fails once anvil is gone), and would keep this
    // process polling forever.
    'process.stdout.write(JSON.stringify(figures), () => process.exit(0))',
  ].join('\n')
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let pending = ''
    const tail: string[] = []
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk).split('\n')
      pending = lines.pop()!
      for (const line of lines) {
        log(line)
        tail.push(line)
        if (tail.length > 60) tail.shift()
      }
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (code === 0) resolvePromise(JSON.parse(stdout) as RecordParameters[])
      else
        reject(
          new Error(
            `swarm of ${size} failed (${signal ?? `exit ${code}`}):\n${[...tail, pending].join('\n')}`,
          ),
        )
    })
  })
}

/** One swarm of `size` agents: sets it up, measures it, stops it; returns its figures. */
export async function measureSwarm(
  size: number,
  mode: IndexMode,
  quick: boolean,
  log: (message: string) => void,
): Promise<RecordParameters[]> {
  const figures: RecordParameters[] = []
  const ctx = { quick, log, record: (figure: RecordParameters) => figures.push(figure) }
  retried.count = 0
  retried.causes = []
  const dir = mkdtempSync(join(tmpdir(), 'gotong-bench-swarm-'))
  let devnet: Devnet | undefined
  let indexer: Awaited<ReturnType<typeof startIndexer>> | undefined
  // A database of its own, not only a schema: Ponder keeps the logs it fetched in one
  // `ponder_sync` schema per database, keyed by chain id and address, and every devnet has chain
  // 31337 and the same contract addresses, so another devnet indexed in the same database (a
  // directory bench beside this one) would have its logs read as this chain's.
  const database = `bench_swarm_${process.pid}`
  const agents: Agent[] = []
  try {
    const setupStart = performance.now()
    devnet = await startDevnet({ accounts: size + 1, ...(blockTime > 0 ? { blockTime } : {}) })
    const devnetAt = performance.now()
    const network = devnet as Devnet & { deployments: NonNullable<Devnet['deployments']> }
    const keys = devnet.accounts.slice(1, size + 1).map((a) => a.privateKey)
    ctx.log(`${size} agents: devnet with ${size + 1} funded accounts (${seconds(setupStart)})`)
    if (mode === 'shared') {
      await onServer(`CREATE DATABASE ${database}`)
      indexer = await startIndexer({
        rpcUrl: devnet.rpcUrl,
        deployments: network.deployments,
        databaseUrl: databaseUrlOf(database),
        port: 0,
        pollingInterval: 200,
      })
      ctx.log(`shared index up at ${indexer.url} (${seconds(setupStart)})`)
    }
    const index = indexer ? { index: { url: indexer.url } } : {}
    const indexerAt = performance.now()

    // One agent made and stopped first, so lazy loading and first-use JIT are not counted.
    const warmup = await createAgent({
      account: devnet.accounts[0]!.privateKey,
      network,
      store: join(dir, 'warmup'),
    })
    await warmup.stop()
    const before = await memory()
    const created = await inBatches(keys, 8, (account, i) =>
      createAgent({
        account,
        network,
        store: join(dir, `agent-${i}`),
        callsPerChannel: 1_000_000n,
        ...index,
      }),
    )
    agents.push(...created)
    const createdAt = performance.now()
    const idle = await memory()
    ctx.log(`${size} agents created (${seconds(setupStart)})`)

    const providers = agents.slice(0, Math.floor(size / 2))
    // With its own index, every consumer's first call syncs it (every listing) and opens a
    // channel: past maxPaying consumers that setup alone would take many minutes here. On the
    // shared index every consumer pays.
    const consumers = agents
      .slice(providers.length)
      .slice(0, mode === 'shared' ? undefined : maxPaying)
    const servingAt = performance.now()
    const served = await inBatches(providers, setupConcurrency, (provider) =>
      provider.serve(echo, { price: 1n }),
    )
    const publishedAt = performance.now()
    ctx.log(`${providers.length} providers serving (${seconds(setupStart)})`)
    const toolOf = (i: number) => served[i % served.length]!.toolId
    const paying = mode === 'shared' ? setupConcurrency : ownIndexConcurrency
    await inBatches(consumers, paying, (consumer, i) =>
      withRetry(() => consumer.call(toolOf(i), { text: 'first' })),
    )
    const paidAt = performance.now()
    const setupSeconds = (paidAt - setupStart) / 1_000
    const span = (from: number, to: number) => `${((to - from) / 1_000).toFixed(1)} s`
    const phases = [
      `devnet ${span(setupStart, devnetAt)}`,
      ...(indexer ? [`indexer ${span(devnetAt, indexerAt)}`] : []),
      // The memory reading between creating and serving (about 0.3 s) is left out.
      `agents created ${span(indexerAt, createdAt)}`,
      `publishing ${span(servingAt, publishedAt)}`,
      `first calls ${span(publishedAt, paidAt)}`,
    ].join(', ')
    const working = await memory()
    ctx.log(`${consumers.length} consumers with a channel open (${seconds(setupStart)}): ${phases}`)

    const perConsumer = ctx.quick ? 2 : Math.max(2, Math.round(1_000 / consumers.length))
    const rates: number[] = []
    for (let batch = 0; batch < (ctx.quick ? 1 : 3); batch++)
      rates.push(
        await rate(consumers.length * perConsumer, () =>
          Promise.all(
            consumers.map(async (consumer, i) => {
              for (let k = 0; k < perConsumer; k++)
                await withRetry(() => consumer.call(toolOf(i), { text: `call ${k}` }))
            }),
          ),
        ),
      )
    ctx.log(`${rates.map((r) => Math.round(r)).join(', ')} paid calls/s (${seconds(setupStart)})`)
    const earned = providers.reduce((sum, p) => sum + p.ledger().earned.length, 0)
    const expected = consumers.length * (1 + perConsumer * rates.length)
    if (earned !== expected) throw new Error(`providers earned ${earned} calls of ${expected}`)

    if (retried.count > 0)
      ctx.log(
        `${retried.count} calls retried after TOOL_UNAVAILABLE (${retried.causes.join(', ')})`,
      )
    const mib = 2 ** 20
    const per = (bytes: number) => bytes / size / mib
    const mix = `${providers.length} serving, ${consumers.length} paying${consumers.length + providers.length < size ? `, ${size - providers.length - consumers.length} idle` : ''}`
    const on = mode === 'shared' ? ', shared index' : ''
    const chainNote = blockTime > 0 ? `a block every ${blockTime} s` : 'a block per transaction'
    ctx.record({
      name: `setup, ${size} agents${on}`,
      unit: 's',
      samples: [setupSeconds],
      ...(mode === 'shared' ? { target: { max: 120 } } : {}),
      note: `${mix}: from starting the devnet${mode === 'shared' ? ' and the indexer (Ponder on PostgreSQL)' : ''} to every paying consumer's first call answered (its agreement and channel): ${phases}; ${chainNote}, ${setupConcurrency} providers publishing and ${paying} consumers paying at once`,
    })
    ctx.record({
      name: `memory per agent, ${size} idle agents (heap)${on}`,
      unit: 'MiB',
      samples: [per(idle.heap - before.heap)],
      note: 'JS heap + external after GC; an agent holds 2 SQLite handles (payer, payee; its own directory index opens on first use), viem clients and a transport server object; no HTTP server until it serves',
    })
    ctx.record({
      name: `memory per agent, ${size} idle agents (RSS)${on}`,
      unit: 'MiB',
      samples: [per(idle.rss - before.rss)],
    })
    ctx.record({
      name: `memory per agent, ${size} working agents (heap)${on}`,
      unit: 'MiB',
      samples: [per(working.heap - before.heap)],
      note: `${mix}: a serving agent adds an HTTP server and a settler polling for closes; a paying one an agreement, a channel and a synced directory index`,
    })
    ctx.record({
      name: `memory per agent, ${size} working agents (RSS)${on}`,
      unit: 'MiB',
      samples: [per(working.rss - before.rss)],
      note: mix,
    })
    ctx.record({
      name: `paid calls/s across ${size} agents${on}`,
      unit: 'calls/s',
      samples: rates,
      note: `${mix}; each payer calls one provider, ${perConsumer} calls per batch; one process, one JS thread, anvil on the other core${retried.count > 0 ? `; ${retried.count} calls retried after TOOL_UNAVAILABLE (${retried.causes.join(', ')})` : ''}`,
    })
  } finally {
    await inBatches(agents, 16, (agent) => agent.stop())
    await indexer?.stop()
    if (mode === 'shared') await onServer(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
    await devnet?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  return figures
}
