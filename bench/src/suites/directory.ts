import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClients } from '@gotong/chain'
import { startDevnet } from '@gotong/chain/node'
import {
  canonicalBytes,
  gotongChannelProtocol,
  gotongTermsKey,
  toCaip10,
  toErc20Caip19,
} from '@gotong/core'
import {
  createDirectoryIndex,
  createRemoteIndex,
  type SearchParameters,
} from '@gotong/directory/node'
import { startIndexer } from '@gotong/indexer'
import pg from 'pg'
import solc from 'solc'
import { type Abi, type Address, type Hex, toHex } from 'viem'
import { type Suite, type SuiteContext, summarize, timeEach } from '../harness.js'

/**
 * Bench-only helper: registers many manifests in one transaction, so 100,000 listings take
 * about a hundred transactions instead of 100,000. The batch contract is the creator of every
 * listing, and each manifest names it as `creatorAddress`, so every listing verifies.
 */
const batcherSource = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
interface IToolDirectory {
  function registerToolWithManifest(string calldata uri, bytes32 hash, address predicate, bytes calldata manifest) external returns (uint256);
}
contract BenchPublisher {
  function publish(IToolDirectory directory, string calldata uri, bytes[] calldata manifests) external {
    for (uint256 i = 0; i < manifests.length; i++)
      directory.registerToolWithManifest(uri, keccak256(manifests[i]), address(0), manifests[i]);
  }
}`

function compileBatcher(): { abi: Abi; bytecode: Hex } {
  const output = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: 'Solidity',
        sources: { 'BenchPublisher.sol': { content: batcherSource } },
        settings: {
          optimizer: { enabled: true, runs: 200 },
          evmVersion: 'cancun',
          outputSelection: { '*': { BenchPublisher: ['abi', 'evm.bytecode.object'] } },
        },
      }),
    ),
  )
  const errors = (output.errors ?? []).filter((e: { severity: string }) => e.severity === 'error')
  if (errors.length) throw new Error(errors.map((e: { message: string }) => e.message).join('\n'))
  const contract = output.contracts['BenchPublisher.sol'].BenchPublisher
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` }
}

/** Deterministic pseudo-random numbers (mulberry32), so every run indexes the same listings. */
function random(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const domainWords = `weather forecast translate language image caption summarize document search
  web price oracle token swap route map geocode address email send calendar schedule invoice
  payment audio transcribe speech video thumbnail code review lint test sql query chart plot news
  sentiment stock crypto wallet balance contract audit legal medical drug symptom recipe nutrition
  flight hotel travel currency convert unit physics chemistry math solve ocr pdf spreadsheet resume
  job salary sports score music lyrics podcast book quote poem story game chess`
  .split(/\s+/)
  .filter(Boolean)
const fillerWords = `fast reliable simple accurate returns api tool data results for any with and
  the from into daily live cached secure private batch streaming json structured instant global`
  .split(/\s+/)
  .filter(Boolean)
const syllables = 'ka lo mi ren tu sa vek dor pli nu zan chi bro fel gar hu ix jo'.split(' ')

/** Made-up words, distinct from each other and from the real ones. */
function madeUpWords(count: number, seed: number, taken: Set<string>): string[] {
  const next = random(seed)
  const words: string[] = []
  while (words.length < count) {
    const n = 2 + Math.floor(next() * 3)
    const word = Array.from(
      { length: n },
      () => syllables[Math.floor(next() * syllables.length)],
    ).join('')
    if (taken.has(word)) continue
    taken.add(word)
    words.push(word)
  }
  return words
}

/**
 * A synthetic directory: each listing belongs to one of 400 topics (Zipf-popular, exponent 0.8,
 * so the most popular topic holds ~8% of listings), and its description mixes 2 to 4 of its
 * topic's 6 words, 3 to 5 filler words shared by every topic, and 1 to 3 rare words from a
 * long tail of 5,000. Searches look for what agents ask about: topic words, alone or in pairs,
 * with a filler word, with a price cap, a rare word, or a tag (tags are topic names).
 */
type Corpus = { topics: string[][]; weights: number[]; tail: string[] }

function corpus(): Corpus {
  const taken = new Set([...domainWords, ...fillerWords])
  const pool = [...domainWords, ...madeUpWords(400 * 6, 7, taken)]
  const topics = Array.from({ length: 400 }, (_, i) => pool.slice(i * 6, i * 6 + 6))
  const weights = topics.map((_, rank) => 1 / (rank + 1) ** 0.8)
  return { topics, weights, tail: madeUpWords(5_000, 11, taken) }
}

function pickTopic(c: Corpus, next: () => number): number {
  const total = c.weights.reduce((a, b) => a + b, 0)
  let x = next() * total
  for (const [i, w] of c.weights.entries()) {
    x -= w
    if (x <= 0) return i
  }
  return c.weights.length - 1
}

const pickOf = <T>(items: readonly T[], next: () => number): T =>
  items[Math.floor(next() * items.length)]!

type Context = { chainId: number; creator: Address; token: Address; channels: Address }

function makeManifest(i: number, c: Corpus, ctx: Context) {
  const next = random(1_000 + i)
  const topic = pickTopic(c, next)
  const words = [
    ...Array.from({ length: 2 + Math.floor(next() * 3) }, () => pickOf(c.topics[topic]!, next)),
    ...Array.from({ length: 3 + Math.floor(next() * 3) }, () => pickOf(fillerWords, next)),
    ...Array.from({ length: 1 + Math.floor(next() * 3) }, () => pickOf(c.tail, next)),
  ].sort(() => next() - 0.5)
  const description = words.join(' ')
  const tags = [`t${topic}`, ...(next() < 0.5 ? [`t${pickTopic(c, next)}`] : [])]
  return {
    type: 'https://ercs.ethereum.org/ERCS/erc-8257#tool-manifest-v1',
    name: `${c.topics[topic]![0]}-${pickOf(c.tail, next)}-${i}`,
    description: `${description[0]!.toUpperCase()}${description.slice(1)}.`,
    endpoint: `https://tools${i % 50}.example.com/t/${i}`,
    inputs: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] },
    outputs: { type: 'object' },
    creatorAddress: ctx.creator.toLowerCase(),
    version: '1.0.0',
    tags: [...new Set(tags)],
    pricing: [
      {
        amount: String(100 + Math.floor(next() * 99_900)),
        asset: toErc20Caip19(ctx.chainId, ctx.token),
        recipient: toCaip10(ctx.chainId, ctx.creator),
        protocol: gotongChannelProtocol,
      },
    ],
    [gotongTermsKey]: { version: 1, channels: toCaip10(ctx.chainId, ctx.channels) },
  }
}

function makeQueries(count: number, c: Corpus, asset: string): SearchParameters[] {
  const next = random(99)
  const topicWord = () => pickOf(c.topics[pickTopic(c, next)]!, next)
  return Array.from({ length: count }, (_, i): SearchParameters => {
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
        return { text: topicWord() }
      case 4: {
        const topic = c.topics[pickTopic(c, next)]!
        return { text: `${pickOf(topic, next)} ${pickOf(topic, next)}` }
      }
      case 5:
        return { text: `${topicWord()} ${pickOf(fillerWords, next)}` }
      case 6:
        return { text: topicWord(), maxPrice: 20_000n, asset }
      case 7:
        return { text: pickOf(c.tail, next) }
      case 8:
        return { tags: [`t${pickTopic(c, next)}`] }
      default:
        return { text: topicWord(), tags: [`t${pickTopic(c, next)}`], limit: 10 }
    }
  })
}

const label = (n: number) =>
  n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1_000 ? `${n / 1_000}k` : String(n)

/** PostgreSQL for the shared index's figures: a server's URL, or none (the part is skipped). */
const postgresUrl = process.env.GOTONG_BENCH_DATABASE_URL ?? process.env.GOTONG_TEST_DATABASE_URL
/** Blocks mined after the listings: Ponder's finality on a devnet (30) and two more. */
const emptyBlocks = 32
/** Listings for the shared index (1,000,000 by default). */
const sharedSize = Number(process.env.GOTONG_BENCH_SHARED_LISTINGS ?? 1_000_000)
/**
 * The SQLite index's sizes, comma-separated (1,000, 10,000 and 100,000 by default); `none`
 * skips them, to iterate on the shared index alone.
 */
const sqliteSizes = process.env.GOTONG_BENCH_SQLITE_LISTINGS?.split(',')
  .filter((size) => size !== 'none')
  .map(Number)

/**
 * CPU seconds (user and system) a process has used so far, from Linux's `/proc`; undefined
 * elsewhere. What a busy machine cannot blur the way it blurs wall time.
 */
async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
  // Fields after the command (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')
  if (!fields || pid === undefined) return undefined
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/**
 * The shared index (`@gotong/indexer`: Ponder on PostgreSQL) over the listings on chain: from
 * start to the head indexed, as events/s (Ponder's start, backfill and index builds included),
 * then the same searches through `createRemoteIndex` (HTTP included), p50 and p99.
 */
async function sharedIndex(
  ctx: SuiteContext,
  chain: {
    rpcUrl: string
    deployments: NonNullable<Awaited<ReturnType<typeof startDevnet>>['deployments']>
  },
  size: number,
  queries: SearchParameters[],
) {
  const schema = `bench_directory_${Date.now()}`
  const t0 = performance.now()
  const indexer = await startIndexer({
    rpcUrl: chain.rpcUrl,
    deployments: chain.deployments,
    databaseUrl: postgresUrl!,
    schema,
    port: 0,
    pollingInterval: 200,
    // A block holds 20,000 listings (~50 MB of logs): one per request, not Ponder's 500.
    getLogsBlockRange: 1,
    startTimeoutMs: 600_000,
    onLog: (line) => ctx.log(`ponder: ${line.slice(0, 400)}`),
  })
  const index = createRemoteIndex({
    url: indexer.url,
    timeoutMs: 7_200_000,
    pollingInterval: 1_000,
  })
  try {
    const started = (performance.now() - t0) / 1000
    const sync = await index.sync()
    const seconds = (performance.now() - t0) / 1000
    const cpu = await cpuSeconds(indexer.process.pid)
    const events = size * 3
    const all = await index.search({ limit: 1 })
    if (all[0]?.listing.status !== 'verified') throw new Error('the shared index found no listing')
    ctx.record({
      name: `shared index: index ${label(size)} listings (PostgreSQL)`,
      unit: 'events/s',
      samples: [events / seconds],
      target: { min: 5_000 },
      note: `${events} events to block ${sync.toBlock} in ${seconds.toFixed(1)} s, Ponder up after ${started.toFixed(1)} s${cpu === undefined ? '' : `; Ponder's process used ${cpu.toFixed(1)} s of CPU (${((cpu / events) * 1e6).toFixed(0)} µs an event)`}`,
    })
    let hits = 0
    const samples = await timeEach(queries.length, async (i) => {
      hits += (await index.search(queries[i % queries.length])).length
    })
    ctx.record({
      name: `shared index: search ${label(size)} listings, p50`,
      unit: 'ms',
      samples,
      target: { max: 10 },
      note: `over HTTP; ${(hits / (samples.length + 10)).toFixed(1)} results per query`,
    })
    ctx.record({
      name: `shared index: search ${label(size)} listings, p99`,
      unit: 'ms',
      samples: [summarize(samples).p99],
      target: { max: 50 },
    })
  } finally {
    index.close()
    await indexer.stop()
    const client = new pg.Client({ connectionString: postgresUrl })
    await client.connect()
    if (process.env.GOTONG_BENCH_KEEP_SCHEMA) ctx.log(`kept schema ${schema}`)
    else await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await client.end()
  }
}

/**
 * Indexing ToolDirectory events from anvil into the SQLite index (end to end: `eth_getLogs`,
 * decoding, manifest verification, FTS) and searching it, at 1k, 10k and 100k listings; then
 * (full runs with PostgreSQL) the shared index at 1,000,000.
 */
export const directory: Suite = {
  name: 'directory',
  title: 'Directory: index ToolDirectory events from anvil, search the listings',
  async run(ctx) {
    const sizes = ctx.quick ? [100] : (sqliteSizes ?? [1_000, 10_000, 100_000])
    const batch = ctx.quick ? 50 : 1_000
    const perBlock = ctx.quick ? 2 : 20
    const searches = ctx.quick ? 50 : 2_000
    // Without it anvil keeps every block's state, and each block then costs time in proportion
    // to the whole directory; the indexers read logs and blocks only, never old state.
    const devnet = await startDevnet({ accounts: 1, anvilArgs: ['--prune-history'] })
    const work = await mkdtemp(join(tmpdir(), 'gotong-bench-directory-'))
    try {
      const deployments = devnet.deployments!
      const { walletClient, publicClient } = createClients({
        rpcUrl: devnet.rpcUrl,
        chainId: devnet.chainId,
        privateKey: devnet.accounts[0]!.privateKey,
      })
      const wallet = walletClient!
      // 20 transactions of 1,000 registrations of ~135k gas each per block: lift anvil's 30M
      // block limit.
      await publicClient.request({
        method: 'evm_setBlockGasLimit',
        params: [toHex(40_000_000_000)],
      } as never)
      const batcher = compileBatcher()
      const deployed = await publicClient.waitForTransactionReceipt({
        hash: await wallet.deployContract(batcher),
      })
      const context: Context = {
        chainId: devnet.chainId,
        creator: deployed.contractAddress!,
        token: deployments.contracts.gotongToken,
        channels: deployments.contracts.paymentChannels,
      }
      const listings = corpus()
      const queries = makeQueries(searches, listings, toErc20Caip19(devnet.chainId, context.token))

      /** One JSON-RPC call straight to anvil: mining over a large state outlasts viem's timeout. */
      const anvil = async (method: string, params: unknown[] = []) => {
        const response = await fetch(devnet.rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
        })
        const body = (await response.json()) as { error?: { message: string } }
        if (body.error) throw new Error(`${method}: ${body.error.message}`)
      }
      let created = 0
      let nonce = await publicClient.getTransactionCount({ address: devnet.accounts[0]!.address })
      /**
       * Registers listings (a thousand per transaction, `perBlock` transactions per block) until
       * `target` are on chain. anvil spends time in proportion to its whole state on every block
       * it mines (its state root), so a million listings in a thousand blocks would take hours.
       */
      const publishUpTo = async (target: number) => {
        await anvil('evm_setAutomine', [false])
        try {
          while (created < target) {
            const hashes: Hex[] = []
            let planned = created
            while (planned < target && hashes.length < perBlock) {
              const count = Math.min(batch, target - planned)
              const from = planned
              const manifests = Array.from({ length: count }, (_, i) =>
                toHex(canonicalBytes(makeManifest(from + i, listings, context))),
              )
              hashes.push(
                await wallet.writeContract({
                  address: context.creator,
                  abi: batcher.abi,
                  functionName: 'publish',
                  args: [
                    deployments.contracts.toolDirectory,
                    'https://tools.example.com/.well-known/ai-tool/t.json',
                    manifests,
                  ],
                  gas: BigInt(count) * 200_000n + 100_000n,
                  nonce: nonce++,
                }),
              )
              planned += count
            }
            await anvil('evm_mine')
            for (const hash of hashes) {
              const receipt = await publicClient.getTransactionReceipt({ hash })
              if (receipt.status !== 'success') throw new Error('bench publish reverted')
            }
            const before = created
            created = planned
            if (Math.floor(created / 100_000) > Math.floor(before / 100_000) && created < target)
              ctx.log(`${label(Math.floor(created / 100_000) * 100_000)} listings on chain`)
          }
        } finally {
          await anvil('evm_setAutomine', [true])
        }
      }
      for (const size of sizes) {
        const started = performance.now()
        await publishUpTo(size)
        ctx.log(
          `${label(size)} listings on chain (+${((performance.now() - started) / 1000).toFixed(1)} s)`,
        )

        const store = join(work, `index-${size}.sqlite`)
        const index = createDirectoryIndex({
          client: publicClient,
          address: deployments.contracts.toolDirectory,
          fromBlock: deployments.startBlock,
          store,
          fetchManifest: false,
        })
        const t0 = performance.now()
        const sync = await index.sync()
        const seconds = (performance.now() - t0) / 1000
        const all = await index.search({ limit: 1 })
        if (sync.logs !== size * 3 || all[0]?.listing.status !== 'verified')
          throw new Error(`indexed ${sync.logs} logs for ${size} listings`)
        ctx.record({
          name: `index ${label(size)} listings`,
          unit: 'events/s',
          samples: [sync.logs / seconds],
          ...(size === 100_000 ? { target: { min: 5_000 } } : {}),
          note: `${sync.logs} events in ${seconds.toFixed(1)} s`,
        })

        let hits = 0
        const samples = await timeEach(queries.length, async (i) => {
          hits += (await index.search(queries[i % queries.length])).length
        })
        const { p99 } = summarize(samples)
        ctx.record({
          name: `search ${label(size)} listings, p50`,
          unit: 'ms',
          samples,
          ...(size === 100_000 ? { target: { max: 5 } } : {}),
          note: `${(hits / (samples.length + 10)).toFixed(1)} results per query`,
        })
        ctx.record({
          name: `search ${label(size)} listings, p99`,
          unit: 'ms',
          samples: [p99],
          ...(size === 100_000 ? { target: { max: 25 } } : {}),
        })
        index.close()
        await rm(store, { force: true })
      }

      if (ctx.quick || !postgresUrl) {
        if (!ctx.quick)
          ctx.log('shared index skipped: set GOTONG_BENCH_DATABASE_URL to a PostgreSQL server')
        return
      }
      const started = performance.now()
      await publishUpTo(sharedSize)
      const published = performance.now()
      // Past Ponder's finality (30 blocks on a devnet), so every listing is backfilled in bulk;
      // no more than that, since anvil (1.7) spends time in proportion to its whole state on
      // every block, empty or not (1.2 to 1.4 s a block at 100,000 listings).
      await anvil('anvil_mine', [toHex(emptyBlocks)])
      const seconds = (from: number, to = performance.now()) => ((to - from) / 1000).toFixed(1)
      ctx.log(
        `${label(sharedSize)} listings on chain (+${seconds(started, published)} s, ${emptyBlocks} empty blocks ${seconds(published)} s)`,
      )
      await sharedIndex(ctx, { rpcUrl: devnet.rpcUrl, deployments }, sharedSize, queries)
    } finally {
      await devnet.stop()
      await rm(work, { recursive: true, force: true })
    }
  },
}
