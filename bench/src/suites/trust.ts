import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Agent, createAgent, type Network, type TrustStats } from '@gotong/agent'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import type { Suite, SuiteContext } from '../harness.js'
import { wordStats } from '../wordStats.js'

const price = 1_000n // 0.001 gUSD
const rates = [0.05, 0.2] as const

/**
 * The cost of spot checks: three honest providers serve one deterministic tool definition
 * (`word-stats`, `deterministic: true`), and a consumer per rate makes N paid calls of the first
 * with distinct inputs, `trust.spotCheck` at 5 % and at 20 %. Each check re-buys the call from
 * the same provider and from one other (they agree, so no third is asked): calls re-bought, gUSD
 * spent on them, and their ratio to what the N calls cost; five consumers per rate, each with
 * its own seeded generator, so a run's figures are reproducible and show the draw's spread.
 */
export const trust: Suite = {
  name: 'trust',
  title: 'Spot checks of deterministic calls: what re-buying costs at 5 % and 20 %',
  async run(ctx) {
    const calls = ctx.quick ? 20 : 200
    // A consumer per round and rate, each with its own seed: the sampled count varies by draw.
    const rounds = ctx.quick ? 1 : 5
    const dir = mkdtempSync(join(tmpdir(), 'gotong-bench-trust-'))
    const agents: Agent[] = []
    let devnet: Devnet | undefined
    try {
      devnet = await startDevnet({ accounts: 4 + rates.length * rounds })
      const network: Network = {
        rpcUrl: devnet.rpcUrl,
        chainId: devnet.chainId,
        deployments: devnet.deployments!,
      }
      const keys = devnet.accounts.map((a) => a.privateKey)
      let toolId: bigint | undefined
      for (const i of [1, 2, 3]) {
        const provider = await createAgent({
          account: keys[i]!,
          network,
          store: join(dir, `provider-${i}`),
          // Vouchers left unclaimed at stop: the devnet goes with them.
          onWarning: () => {},
        })
        agents.push(provider)
        const served = await provider.serve(wordStats, { price, deterministic: true })
        toolId ??= served.toolId
      }
      let next = 4
      for (const rate of rates) {
        const runs: TrustStats[] = []
        for (let round = 0; round < rounds; round++) {
          const consumer = await createAgent({
            account: keys[next]!,
            network,
            store: join(dir, `consumer-${next}`),
            // One channel per provider holds all the calls and their checks.
            callsPerChannel: BigInt(calls),
            trust: { spotCheck: { rate, random: seeded(0x5eed + next++) } },
          })
          agents.push(consumer)
          for (let i = 0; i < calls; i++)
            await consumer.call(toolId!, { text: `call ${i} of the spot-check bench` })
          await consumer.evidence.settled()
          runs.push(consumer.trustStats())
        }
        report(ctx, rate, calls, runs)
      }
    } finally {
      for (const agent of agents) await agent.stop().catch(() => {})
      await devnet?.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  },
}

/** One figure per measure, one sample per consumer (round). */
function report(ctx: SuiteContext, rate: number, calls: number, runs: TrustStats[]) {
  const label = `${Math.round(rate * 100)} %`
  const checked = runs.map((s) => s.spotChecks)
  ctx.record({
    name: `spot check ${label}: calls checked per ${calls} calls`,
    unit: 'calls',
    samples: checked,
  })
  ctx.record({
    name: `spot check ${label}: calls re-bought per ${calls} calls`,
    unit: 'calls',
    samples: runs.map((s) => s.rebought),
  })
  ctx.record({
    name: `spot check ${label}: gUSD spent on checks per ${calls} calls`,
    unit: 'gUSD',
    samples: runs.map((s) => Number(s.reboughtSpent) / 1e6),
    note: `the ${calls} calls cost ${Number(runs[0]!.deterministicSpent) / 1e6} gUSD`,
  })
  ctx.record({
    name: `spot check ${label}: overhead (checks ÷ calls paid)`,
    unit: '%',
    samples: runs.map((s) => (Number(s.reboughtSpent) / Number(s.deterministicSpent)) * 100),
    note: 'each check re-buys from the same provider and from one other: 2 × the share checked',
  })
  ctx.log(`trust: ${label}: ${checked.join(', ')} of ${calls} calls checked`)
}

/** A seeded uniform generator in [0, 1) (mulberry32): the same draws on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}
