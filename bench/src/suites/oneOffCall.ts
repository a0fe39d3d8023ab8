import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Agent, createAgent, type Network } from '@gotong/agent'
import { createClients } from '@gotong/chain'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { finalizeChannel, readChannel, startCloseChannel } from '@gotong/payments/payer'
import type { Address, PublicClient } from 'viem'
import type { Suite, SuiteContext } from '../harness.js'
import { wordStats } from '../wordStats.js'

const input = { text: 'many hands make light work' }
const price = 2_000n // 0.002 gUSD

/** Gas of every transaction of one path, by who sent (and so paid for) it. */
type Gas = { consumer: number; provider: number }

/**
 * One paid call by a consumer that calls the tool once, two ways, on one devnet against one
 * provider agent (in this process, its own facilitator):
 * (a) x402: `agent.call(toolId, input, { expectedCalls: 1 })`, one EIP-3009 transfer;
 * (b) a gotong channel as a one-off consumer closes it: `agent.call` (negotiate, open, call),
 *     then `startClose`, the provider's claim (its settler answers the close), `finalize`;
 * (c) a gotong channel the provider closes cooperatively: `agent.call`, `cooperativeClose`.
 * Each path's gas is the sum of every transaction sent while it ran, split by sender; from them
 * and from a channel call after the first (measured on (c)), the N from which channels cost less.
 */
export const oneOffCall: Suite = {
  name: 'oneOffCall',
  title:
    "One-off paid call: gotong's x402 face vs a gotong channel (negotiate + open + call + close)",
  async run(ctx) {
    const rounds = ctx.quick ? 1 : 10
    const laterCalls = ctx.quick ? 3 : 10
    const dir = mkdtempSync(join(tmpdir(), 'gotong-bench-one-off-'))
    const agents: Agent[] = []
    let devnet: Devnet | undefined
    try {
      // A fresh consumer for every sample of every path, plus a warm-up round.
      devnet = await startDevnet({ accounts: 2 + 3 * (rounds + 1) })
      const { rpcUrl, chainId, publicClient } = devnet
      const network: Network = { rpcUrl, chainId, deployments: devnet.deployments! }
      const channels = network.deployments.contracts.paymentChannels
      const keys = devnet.accounts.map((a) => a.privateKey)
      // Closes are watched every 100 ms, so the provider's claim lands well inside (b)'s window.
      const provider = await createAgent({
        account: keys[1]!,
        network,
        store: join(dir, 'provider'),
        watchIntervalMs: 100,
      })
      agents.push(provider)
      const served = await provider.serve(wordStats, { price })
      let next = 2
      const newConsumer = async () => {
        const key = keys[next]!
        // The shortest challenge period: (b) waits it out in real time before finalizing, since
        // moving the devnet's clock would expire the x402 authorizations of later rounds.
        const agent = await createAgent({
          account: key,
          network,
          store: join(dir, `consumer-${next++}`),
          challengePeriod: 1,
        })
        agents.push(agent)
        await agent.index.sync()
        return { agent, key }
      }
      const gasSince = (from: bigint, consumer: Address) =>
        gasByParty(publicClient, from, { consumer, provider: provider.address })

      const x402 = { ms: [] as number[], gas: [] as Gas[] }
      const consumerClose = {
        callMs: [] as number[],
        closeMs: [] as number[],
        gas: [] as Gas[],
      }
      const cooperative = { callMs: [] as number[], closeMs: [] as number[], gas: [] as Gas[] }
      const later: number[] = []
      const shown = { x402: 0, consumerClose: 0, cooperative: 0 }
      for (let round = 0; round <= rounds; round++) {
        const keep = round > 0 // round 0 warms up every path

        // (a) x402 through the consumer agent's rail policy.
        {
          const { agent } = await newConsumer()
          const from = await publicClient.getBlockNumber()
          const start = performance.now()
          const result = await agent.call(served.toolId, input, { expectedCalls: 1 })
          const ms = performance.now() - start
          if (result.rail !== 'x402') throw new Error(`(a) paid over ${result.rail}`)
          const gas = await gasSince(from, agent.address)
          shown.x402 = ms
          if (keep) {
            x402.ms.push(ms)
            x402.gas.push(gas)
          }
        }

        // (b) a channel, closed by the consumer: startClose, the provider's claim, finalize.
        {
          const { agent, key } = await newConsumer()
          const wallet = createClients({ rpcUrl, chainId, privateKey: key }).walletClient!
          const from = await publicClient.getBlockNumber()
          const start = performance.now()
          const result = await agent.call(served.toolId, input)
          const callMs = performance.now() - start
          if (result.rail !== 'channel') throw new Error(`(b) paid over ${result.rail}`)
          const channelId = agent.ledger().paid[0]!.channelId
          const channelKey = agent.payer.getChannel(channelId)!.key
          const closing = performance.now()
          await startCloseChannel(wallet, publicClient, { channels, key: channelKey })
          let closeMs = performance.now() - closing
          const { closesAt } = await until(
            () => readChannel(publicClient, { channels, channelId }),
            (c) => c.claimed >= price,
          )
          // The window ends by the chain's clock: an idle devnet mines no block, so one is mined
          // (empty, at the wall clock's time) once the window has passed.
          await until(
            async () => {
              if (Date.now() / 1_000 >= Number(closesAt) + 1)
                await publicClient.request({ method: 'evm_mine' } as never)
              return publicClient.getBlock()
            },
            (block) => block.timestamp >= closesAt,
          )
          const finalizing = performance.now()
          await finalizeChannel(wallet, publicClient, { channels, key: channelKey })
          closeMs += performance.now() - finalizing
          const closed = await readChannel(publicClient, { channels, channelId })
          if (closed.status !== 'closed') throw new Error(`(b) ended ${closed.status}`)
          const gas = await gasSince(from, agent.address)
          shown.consumerClose = callMs
          if (keep) {
            consumerClose.callMs.push(callMs)
            consumerClose.closeMs.push(closeMs)
            consumerClose.gas.push(gas)
          }
        }

        // (c) a channel the provider closes cooperatively; before the close, later calls on it.
        {
          const { agent } = await newConsumer()
          const from = await publicClient.getBlockNumber()
          const start = performance.now()
          const result = await agent.call(served.toolId, input)
          const callMs = performance.now() - start
          if (result.rail !== 'channel') throw new Error(`(c) paid over ${result.rail}`)
          for (let i = 0; i < laterCalls; i++) {
            const callStart = performance.now()
            await agent.call(served.toolId, input)
            if (keep) later.push(performance.now() - callStart)
          }
          const channelId = agent.ledger().paid[0]!.channelId
          const closing = performance.now()
          const closedBy = await provider.settler.claim(channelId, { close: true })
          const closeMs = performance.now() - closing
          const closed = await readChannel(publicClient, { channels, channelId })
          if (!closedBy || closed.status !== 'closed') throw new Error(`(c) ended ${closed.status}`)
          const gas = await gasSince(from, agent.address)
          shown.cooperative = callMs
          if (keep) {
            cooperative.callMs.push(callMs)
            cooperative.closeMs.push(closeMs)
            cooperative.gas.push(gas)
          }
        }
        ctx.log(
          `round ${round}${keep ? '' : ' (warm-up)'}: x402 ${shown.x402.toFixed(1)} ms; channel first call ${shown.consumerClose.toFixed(1)} ms (b), ${shown.cooperative.toFixed(1)} ms (c)`,
        )
      }
      report(ctx, { x402, consumerClose, cooperative, later })
    } finally {
      for (const agent of agents) await agent.stop().catch(() => undefined)
      await devnet?.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  },
}

type Measured = {
  x402: { ms: number[]; gas: Gas[] }
  consumerClose: { callMs: number[]; closeMs: number[]; gas: Gas[] }
  cooperative: { callMs: number[]; closeMs: number[]; gas: Gas[] }
  later: number[]
}

function report(ctx: SuiteContext, { x402, consumerClose, cooperative, later }: Measured) {
  const total = (g: Gas) => g.consumer + g.provider
  const gasFigures = (path: string, gas: Gas[], what: string) => {
    ctx.record({
      name: `${path}: gas, all transactions`,
      unit: 'gas',
      samples: gas.map(total),
      note: what,
    })
    ctx.record({
      name: `${path}: gas paid by the consumer`,
      unit: 'gas',
      samples: gas.map((g) => g.consumer),
    })
    ctx.record({
      name: `${path}: gas paid by the provider`,
      unit: 'gas',
      samples: gas.map((g) => g.provider),
    })
  }
  const x402Ms = ctx.record({
    name: '(a) x402: one-off call, time',
    unit: 'ms',
    samples: x402.ms,
    note: "agent.call(toolId, input, { expectedCalls: 1 }): the 402, then the paid request (x402's exact client signs; the provider verifies, runs, settles with x402's facilitator in its process, signs a receipt)",
  }).median
  gasFigures(
    '(a) x402',
    x402.gas,
    "one gUSD transferWithAuthorization, sent by the provider's facilitator",
  )

  const firstMs = ctx.record({
    name: '(b, c) channel: first call, time (negotiate + open + call)',
    unit: 'ms',
    samples: [...consumerClose.callMs, ...cooperative.callMs],
    note: 'agent.call(toolId, input) with no expected count: negotiation, openWithPermit, the fund route, the paid call',
  }).median
  const laterMs = ctx.record({
    name: '(c) channel: a call after the first, time',
    unit: 'ms',
    samples: later,
    note: 'a voucher on the open channel, no transaction',
  }).median
  const consumerCloseMs = ctx.record({
    name: "(b) channel closed by the consumer: startClose + finalize, the consumer's time",
    unit: 'ms',
    samples: consumerClose.closeMs,
    note: "the two transactions it sends; the challenge window between them (1 s here, 3,600 s by default) and the provider's claim are not counted",
  }).median
  const cooperativeMs = ctx.record({
    name: "(c) channel closed cooperatively: cooperativeClose, the provider's time",
    unit: 'ms',
    samples: cooperative.closeMs,
    note: 'settler.claim(channelId, { close: true })',
  }).median
  gasFigures(
    '(b) channel closed by the consumer',
    consumerClose.gas,
    "openWithPermit, startClose, finalize (the consumer's) + claim (the provider's settler answering the close)",
  )
  gasFigures(
    '(c) channel closed cooperatively',
    cooperative.gas,
    "openWithPermit (the consumer's) + cooperativeClose (the provider's)",
  )

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!
  const x402Gas = median(x402.gas.map(total))
  const paths = [
    {
      label: '(b) consumer closes',
      gas: median(consumerClose.gas.map(total)),
      closeMs: consumerCloseMs,
    },
    {
      label: '(c) cooperative close',
      gas: median(cooperative.gas.map(total)),
      closeMs: cooperativeMs,
    },
  ]
  for (const path of paths) {
    ctx.record({
      name: `one-off call, ${path.label} ÷ (a) x402: gas`,
      unit: '×',
      samples: [path.gas / x402Gas],
    })
    ctx.record({
      name: `one-off call, ${path.label} ÷ (a) x402: time (call + close)`,
      unit: '×',
      samples: [(firstMs + path.closeMs) / x402Ms],
    })
    // Channels: a fixed cost, then nothing on chain per call; x402: one transfer per call.
    ctx.record({
      name: `break-even N, gas: ${path.label} ≤ N × x402`,
      unit: 'calls',
      samples: [Math.ceil(path.gas / x402Gas)],
      note: 'the fewest calls from which the channel, with all its transactions, costs no more gas',
    })
    // N × x402 ≥ first + (N − 1) × later + close
    ctx.record({
      name: `break-even N, time: ${path.label} ≤ N × x402`,
      unit: 'calls',
      samples: [
        x402Ms > laterMs
          ? Math.max(1, Math.ceil((firstMs + path.closeMs - laterMs) / (x402Ms - laterMs)))
          : Number.POSITIVE_INFINITY,
      ],
      note: 'medians: first call + (N − 1) later calls + the close, against N x402 calls',
    })
  }
}

/** Sums the gas of every transaction mined after block `from`, by sender; any other sender throws. */
async function gasByParty(
  publicClient: PublicClient,
  from: bigint,
  parties: { consumer: Address; provider: Address },
): Promise<Gas> {
  const gas: Gas = { consumer: 0, provider: 0 }
  const latest = await publicClient.getBlockNumber()
  for (let n = from + 1n; n <= latest; n++) {
    const block = await publicClient.getBlock({ blockNumber: n })
    for (const hash of block.transactions) {
      const receipt = await publicClient.getTransactionReceipt({ hash })
      if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
      const party = (['consumer', 'provider'] as const).find(
        (p) => parties[p].toLowerCase() === receipt.from.toLowerCase(),
      )
      if (!party) throw new Error(`transaction ${hash} from ${receipt.from}, neither party`)
      gas[party] += Number(receipt.gasUsed)
    }
  }
  return gas
}

/** Polls `read` every 50 ms until `done` holds (at most 30 s). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error('gave up waiting after 30 s')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
