import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Agent, createAgent, defineTool, typedDataSigner } from '@gotong/agent'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import type { Receipt, Voucher } from '@gotong/core'
import {
  createReceiptDigester,
  createVoucherDigester,
  privateKeySigner,
  recoverSignerLowercase,
  secp256k1Backend,
} from '@gotong/payments'
import { createSqlitePayerStore } from '@gotong/payments/node'
import { createHttpClient, createTransportServer } from '@gotong/transport'
import { type HttpListener, serveHttp } from '@gotong/transport/node'
import { type Hex, keccak256, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'
import { type Figure, rate, type Suite, summarize, timeEach } from '../harness.js'

/** The tool both paths serve: small, so the figures are about the call, not the work. */
const wordStats = defineTool({
  name: 'word-stats',
  description: 'Counts the words and characters of a text and finds its longest word.',
  tags: ['text', 'statistics'],
  input: z.object({ text: z.string().max(10_000) }),
  output: z.object({ words: z.number().int(), characters: z.number().int(), longest: z.string() }),
  handler: ({ text }) => {
    const words = text.split(/\s+/).filter(Boolean)
    return {
      words: words.length,
      characters: text.length,
      longest: words.reduce((a, b) => (b.length > a.length ? b : a), ''),
    }
  },
})
const input = { text: 'many hands make light work' }
const concurrent = 32

/**
 * One tool over the same loopback HTTP: (a) unpaid, a plain signed transport route with the same
 * handler; (b) through two gotong agents with an agreement and a funded channel; (c) the floor a
 * paid call cannot go under: one voucher signature, one verification, one receipt signature.
 */
export const paidCall: Suite = {
  name: 'paidCall',
  title: 'Paid call vs the floor: unpaid route, gotong agents, bare payment crypto',
  async run(ctx) {
    const rounds = ctx.quick ? 1 : 5
    const perRound = ctx.quick ? 20 : 200
    const perCaller = ctx.quick ? 2 : 40
    const floorBatch = ctx.quick ? 200 : 2_000
    const dir = mkdtempSync(join(tmpdir(), 'gotong-bench-paidcall-'))
    const memoryDir = existsSync('/dev/shm')
      ? mkdtempSync(join('/dev/shm', 'gotong-bench-paidcall-'))
      : undefined
    let devnet: Devnet | undefined
    const agents: Agent[] = []
    let listener: HttpListener | undefined
    try {
      devnet = await startDevnet({ accounts: 5 })
      const network = devnet as Devnet & { deployments: NonNullable<Devnet['deployments']> }
      const keys = devnet.accounts.map((a) => a.privateKey)
      const [providerKey, consumerKey] = [keys[1]!, keys[2]!]

      // (b) two agents: the first call negotiates, opens and binds a channel; later calls pay.
      const pair = async (providerKey: Hex, consumerKey: Hex, root: string) => {
        const provider = await createAgent({
          account: providerKey,
          network,
          store: join(root, 'provider'),
        })
        agents.push(provider)
        const consumer = await createAgent({
          account: consumerKey,
          network,
          store: join(root, 'consumer'),
          // One channel for the whole run: no channel is reopened while measuring.
          callsPerChannel: 10_000_000n,
        })
        agents.push(consumer)
        const { toolId } = await provider.serve(wordStats, { price: 1n })
        const first = await consumer.call(toolId, input)
        if (first.receipt.receipt.calls !== 1n)
          throw new Error('the first paid call was not call 1')
        return async () => {
          await consumer.call(toolId, input)
        }
      }
      const paid = await pair(providerKey, consumerKey, dir)
      const consumerAgent = agents[1]!
      // (b′) the same on tmpfs, where fsync costs nothing: what the durable writes cost.
      const paidTmpfs = memoryDir ? await pair(keys[3]!, keys[4]!, memoryDir) : undefined

      // (a) the same handler behind a plain route: envelope signed and checked, nothing paid.
      const providerAccount = privateKeyToAccount(providerKey)
      const server = createTransportServer({
        address: providerAccount.address,
        chainId: devnet.chainId,
      }).handle('word-stats', wordStats.input, async (parsed, { from }) =>
        wordStats.output.parse(
          await wordStats.handler(parsed, {
            caller: from,
            termsHash: keccak256(toHex('unpaid')),
            signal: new AbortController().signal,
          }),
        ),
      )
      listener = await serveHttp(server)
      const plain = createHttpClient({
        // Envelopes signed as an agent signs them.
        signer: typedDataSigner(privateKeySigner(consumerKey)),
        chainId: devnet.chainId,
        peers: { [providerAccount.address]: listener.url },
      })
      const unpaid = async () => {
        await plain.request(providerAccount.address, 'word-stats', input)
      }

      // (c) the floor, with the fastest primitives gotong has.
      const { paymentChannels } = network.deployments.contracts
      const where = { chainId: devnet.chainId, verifyingContract: paymentChannels }
      const voucherDigest = createVoucherDigester(where).digest
      const receiptDigest = createReceiptDigester(where)
      const payerSigner = privateKeySigner(consumerKey)
      const payeeSigner = privateKeySigner(providerKey)
      const payer = payerSigner.address.toLowerCase()
      const channelId = keccak256(toHex('floor channel'))
      const termsHash = keccak256(toHex('floor terms'))
      const requestHash = keccak256(toHex('request'))
      const responseHash = keccak256(toHex('response'))
      let calls = 0n
      const floorOnce = () => {
        calls++
        const voucher: Voucher = { channelId, cumulativeAmount: calls, calls, termsHash }
        const digest = voucherDigest(voucher)
        const signature = payerSigner.signDigest(digest) as Hex
        if (recoverSignerLowercase(digest, signature) !== payer) throw new Error('bad voucher')
        const receipt: Receipt = {
          termsHash,
          channelId,
          calls,
          cumulativeAmount: calls,
          requestHash,
          responseHash,
          servedAt: 1_700_000_000n,
        }
        payeeSigner.signDigest(receiptDigest(receipt))
      }

      // Rounds interleave the paths so each sees the same machine load.
      type Path = 'unpaid' | 'paid' | 'paidTmpfs'
      const paths: Partial<Record<Path, () => Promise<void>>> = { unpaid, paid }
      if (paidTmpfs) paths.paidTmpfs = paidTmpfs
      const names = Object.keys(paths) as Path[]
      const series = () => Object.fromEntries(names.map((n) => [n, [] as number[]]))
      const latency = series()
      const serial = series()
      const under = series()
      const loaded = series()
      const floor: number[] = []
      for (let r = 0; r < rounds; r++) {
        for (const name of names) {
          const samples = await timeEach(perRound, paths[name]!, r === 0 ? 20 : 0)
          latency[name]!.push(...samples)
          serial[name]!.push(1_000 / mean(samples))
        }
        for (let i = 0; i < 3; i++) {
          const start = performance.now()
          for (let k = 0; k < floorBatch; k++) floorOnce()
          floor.push((performance.now() - start) / floorBatch)
        }
        for (const name of names) {
          loaded[name]!.push(
            await rate(concurrent * perCaller, () =>
              Promise.all(
                Array.from({ length: concurrent }, async () => {
                  for (let i = 0; i < perCaller; i++) {
                    const start = performance.now()
                    await paths[name]!()
                    under[name]!.push(performance.now() - start)
                  }
                }),
              ),
            ),
          )
        }
        ctx.log(
          `round ${r + 1} of ${rounds}, calls/s with ${concurrent} callers: ${names.map((n) => `${n} ${Math.round(loaded[n]!.at(-1)!)}`).join(', ')}`,
        )
      }

      const label: Record<Path, string> = {
        unpaid: '(a) unpaid',
        paid: '(b) paid',
        paidTmpfs: '(b′) paid, stores on tmpfs',
      }
      const note: Record<Path, string> = {
        unpaid: 'signed envelope, same handler, loopback HTTP',
        paid: 'two agents, agreement and channel in place; SQLite synchronous=FULL on disk',
        paidTmpfs:
          'diagnostic: the same agents with their SQLite files on tmpfs, where fsync is free',
      }
      const single: Partial<Record<Path, Figure>> = {}
      for (const name of names)
        single[name] = ctx.record({
          name: `${label[name]}, 1 caller`,
          unit: 'ms',
          samples: latency[name]!,
          note: note[name],
        })
      const c = ctx.record({
        name: '(c) floor: voucher sign + verify + receipt sign',
        unit: 'ms',
        samples: floor,
        note: `privateKeySigner, precomputed digesters, ${secp256k1Backend}, same process`,
      })
      const a = single.unpaid!
      const b = single.paid!
      const overhead = b.median - a.median
      // What the payer's "reusable voucher?" lookup costs by now: run in every createVoucher, it
      // scans the channel's vouchers (SQLite picks the primary key over vouchers_failed).
      const paidSoFar = consumerAgent.ledger().paid
      const probe = createSqlitePayerStore(join(dir, 'consumer', 'payer.sqlite'))
      const lookup = summarize(
        await timeEach(ctx.quick ? 20 : 200, () =>
          probe.findReusable(paidSoFar[0]!.channelId, paidSoFar[0]!.termsHash, 1n),
        ),
      ).median
      probe.close()
      const scan = `; the payer's reusable-voucher lookup scans the channel's ${paidSoFar.length.toLocaleString('en-US')} vouchers: ${lookup.toFixed(2)} ms per call by the end`
      const fsync = single.paidTmpfs
        ? `; on tmpfs (b′ − a) = ${(single.paidTmpfs.median - a.median).toFixed(2)} ms, so writing to disk (5 fsync'd SQLite commits per call: payer voucher reserved, signature, receipt; payee accept, commit) costs ${(b.median - single.paidTmpfs.median).toFixed(2)} ms`
        : ''
      ctx.record({
        name: 'paid overhead (b − a) at p50',
        unit: 'ms',
        samples: [overhead],
        target: { max: 1.5 * c.median },
        note: `1.5 × (c) = ${(1.5 * c.median).toFixed(3)} ms; (b − a) = ${(overhead / c.median).toFixed(1)} × (c)${fsync}${scan}; the rest: receipt check, canonical-JSON request and response hashes, listing lookups, zod`,
      })
      for (const name of names)
        ctx.record({
          name: `${label[name]} calls/s, 1 caller`,
          unit: 'calls/s',
          samples: serial[name]!,
        })
      for (const name of names)
        ctx.record({
          name: `${label[name]}, ${concurrent} callers`,
          unit: 'ms',
          samples: under[name]!,
        })
      for (const name of names)
        ctx.record({
          name: `${label[name]} calls/s, ${concurrent} callers`,
          unit: 'calls/s',
          samples: loaded[name]!,
          ...(name === 'paid'
            ? {
                target: { min: 2_500 },
                note: `caller agent and provider agent share one JS thread (anvil the other core); the unpaid route alone reaches ${Math.round(summarize(loaded.unpaid!).median)}/s here`,
              }
            : {}),
        })
    } finally {
      for (const agent of agents) await agent.stop()
      await listener?.close()
      await devnet?.stop()
      rmSync(dir, { recursive: true, force: true })
      if (memoryDir) rmSync(memoryDir, { recursive: true, force: true })
    }
  },
}

function mean(samples: readonly number[]): number {
  return samples.reduce((s, x) => s + x, 0) / samples.length
}
