import { createClients } from '@gotong/chain'
import { paymentChannelsAbi } from '@gotong/contracts'
import {
  createPublicClient,
  custom,
  decodeEventLog,
  type Hex,
  http,
  type Log,
  type PublicClient,
} from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createSettler, type Settler, type SettlerWarning } from '../src/payee.js'
import { finalizeChannel, startCloseChannel } from '../src/payer.js'
import { price, type Setup, setup } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

const pollingIntervalMs = 20

/**
 * A public client over the devnet's real HTTP transport that records every JSON-RPC request it
 * sends, can fail them all (an RPC outage), and lets a test look at an answer before the caller
 * gets it.
 */
function countingClient(
  options: {
    onAnswer?: (method: string, answer: unknown) => void
    /** Refuse eth_getLogs over more blocks, as public RPC providers do. */
    maxLogRange?: number
  } = {},
) {
  const inner = http(t.devnet.rpcUrl)({ chain: t.devnet.chain, retryCount: 0 })
  const requests: string[] = []
  const refused: bigint[] = []
  let down = false
  const publicClient = createPublicClient({
    chain: t.devnet.chain,
    pollingInterval: pollingIntervalMs,
    transport: custom(
      {
        async request({ method, params }: { method: string; params?: unknown }) {
          requests.push(method)
          if (down) throw new Error('RPC outage')
          if (method === 'eth_getLogs' && options.maxLogRange !== undefined) {
            const [filter] = params as [{ fromBlock: Hex; toBlock: Hex }]
            const span = BigInt(filter.toBlock) - BigInt(filter.fromBlock) + 1n
            if (span > BigInt(options.maxLogRange)) {
              refused.push(span)
              throw new Error(`eth_getLogs is limited to ${options.maxLogRange} blocks`)
            }
          }
          const answer = await inner.request({ method, params } as never)
          options.onAnswer?.(method, answer)
          return answer
        },
      },
      { retryCount: 0 },
    ),
  }) as PublicClient
  return {
    publicClient,
    requests,
    refused,
    down: () => {
      down = true
    },
    up: () => {
      down = false
    },
  }
}

/** A payee (account 2) whose settler reads the chain through `publicClient`, with a channel paid for `calls`. */
async function payeeWithChannel(publicClient: PublicClient, calls: number) {
  const payerSide = t.payerOf(1)
  const payeeSide = t.payeeOf(2)
  const ch = await t.channel(payerSide, payeeSide, { deposit: 100_000n, challengePeriod: 3_600 })
  for (let n = 1; n <= calls; n++) await t.call(payerSide, payeeSide, ch, n)
  const settler = createSettler({
    payee: payeeSide.payee,
    store: payeeSide.store,
    wallet: payeeSide.walletClient!,
    publicClient,
    channels: t.channels,
  })
  const close = () =>
    startCloseChannel(payerSide.walletClient!, t.publicClient, {
      channels: t.channels,
      key: ch.key,
    })
  const claimed = async () =>
    (
      await t.publicClient.readContract({
        address: t.channels,
        abi: paymentChannelsAbi,
        functionName: 'getChannel',
        args: [ch.channelId],
      })
    ).claimed
  return { ch, settler, close, claimed }
}

/** Starts a settler's watcher that records the amounts it claims and the errors it reports. */
async function recordWatch(settler: Settler) {
  const claims: bigint[] = []
  const errors: unknown[] = []
  const stop = await settler.watch({
    pollingIntervalMs,
    onClaim: (c) => claims.push(c.amount),
    onError: (e) => errors.push(e),
  })
  return { claims, errors, stop }
}

/** The channel ids of the CloseStarted logs in an RPC answer (none if it holds no logs). */
const closesIn = (answer: unknown): Hex[] =>
  (Array.isArray(answer) ? (answer as Log[]) : []).flatMap((log) => {
    if (!log?.topics?.length) return []
    const event = decodeEventLog({ abi: paymentChannelsAbi, data: log.data, topics: log.topics })
    return event.eventName === 'CloseStarted'
      ? [(event.args as { channelId: Hex }).channelId.toLowerCase() as Hex]
      : []
  })

/** Lets the watcher run for `polls` polling intervals while blocks keep coming. */
async function letPoll(polls: number) {
  for (let i = 0; i < polls; i++) {
    await t.testClient.mine({ blocks: 1 })
    await new Promise((resolve) => setTimeout(resolve, pollingIntervalMs))
  }
}

describe('the settler’s CloseStarted watcher', () => {
  test('after stop() it sends no RPC request, and a poll under way at stop() is ignored', async () => {
    let stop: (() => void) | undefined
    let target: Hex | undefined
    let stoppedMidPoll = false
    const rpc = countingClient({
      // The answer that reports the close reaches the watcher only after it was stopped.
      onAnswer: (_method, answer) => {
        if (target && closesIn(answer).includes(target)) {
          stop?.()
          stoppedMidPoll = true
        }
      },
    })
    const p = await payeeWithChannel(rpc.publicClient, 4)
    target = p.ch.channelId
    const claims: unknown[] = []
    const errors: unknown[] = []
    stop = await p.settler.watch({
      pollingIntervalMs,
      onClaim: (c) => claims.push(c),
      onError: (e) => errors.push(e),
    })
    await letPoll(3)
    await expect.poll(() => rpc.requests.length).toBeGreaterThan(3)

    await p.close()
    await expect.poll(() => stoppedMidPoll).toBe(true)
    const sent = rpc.requests.length
    await letPoll(25)
    expect(rpc.requests.length).toBe(sent)
    expect(claims).toEqual([])
    expect(errors).toEqual([])
    expect(await p.claimed()).toBe(0n)
  })

  test('RPC errors reach onError; the watcher keeps polling and claims once the RPC answers again', async () => {
    const rpc = countingClient()
    const p = await payeeWithChannel(rpc.publicClient, 3)
    const { claims, errors, stop } = await recordWatch(p.settler)
    try {
      rpc.down()
      await p.close() // the payer's own RPC works
      await expect.poll(() => errors.length).toBeGreaterThanOrEqual(5)
      expect(String(errors[0])).toContain('RPC outage')
      expect(claims).toEqual([])
      expect(await p.claimed()).toBe(0n)

      rpc.up()
      await expect.poll(() => claims, { timeout: 10_000 }).toEqual([3n * price])
      expect(await p.claimed()).toBe(3n * price)
    } finally {
      stop()
    }
  })

  test('after an outage longer than an RPC’s eth_getLogs range, it catches up in slices and claims', async () => {
    const rpc = countingClient({ maxLogRange: 500 })
    const p = await payeeWithChannel(rpc.publicClient, 2)
    const { claims, errors, stop } = await recordWatch(p.settler)
    try {
      rpc.down()
      await t.testClient.mine({ blocks: 1_200 })
      await p.close()
      await expect.poll(() => errors.length).toBeGreaterThanOrEqual(2)
      rpc.up()
      await expect.poll(() => claims, { timeout: 10_000 }).toEqual([2n * price])
      expect(rpc.refused).toEqual([])
    } finally {
      stop()
    }
  })

  test('the RPC is down when watching starts: once it answers, a close from before is claimed', async () => {
    const rpc = countingClient()
    const p = await payeeWithChannel(rpc.publicClient, 2)
    await p.close()
    rpc.down()
    const { claims, errors, stop } = await recordWatch(p.settler)
    try {
      await expect.poll(() => errors.length).toBeGreaterThanOrEqual(2)
      rpc.up()
      await expect.poll(() => claims, { timeout: 10_000 }).toEqual([2n * price])
      expect(await p.claimed()).toBe(2n * price)
    } finally {
      stop()
    }
  })
})

describe('the settler’s warnings', () => {
  test('a claim that keeps failing at a close warns with the stake and the deadline, then says it was missed once the payer finalizes', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(2)
    const ch = await t.channel(payerSide, payeeSide, { deposit: 100_000n, challengePeriod: 60 })
    for (let n = 1; n <= 2; n++) await t.call(payerSide, payeeSide, ch, n)
    // The payee's wallet cannot reach a node (its own RPC is down); reads still work.
    const { walletClient: deadWallet } = createClients({
      rpcUrl: 'http://127.0.0.1:9',
      chainId: t.chainId,
      privateKey: t.account(2).privateKey,
    })
    const settler = createSettler({
      payee: payeeSide.payee,
      store: payeeSide.store,
      wallet: deadWallet!,
      publicClient: t.publicClient,
      channels: t.channels,
    })
    const warnings: SettlerWarning[] = []
    const stop = await settler.watch({
      pollingIntervalMs,
      retries: 2,
      onWarning: (w) => warnings.push(w),
    })
    try {
      await startCloseChannel(payerSide.walletClient!, t.publicClient, {
        channels: t.channels,
        key: ch.key,
      })
      await expect
        .poll(() => warnings.map((w) => w.code), { timeout: 10_000 })
        .toContain('CLAIM_FAILING')
      const failing = warnings.find((w) => w.code === 'CLAIM_FAILING')!
      expect(failing).toMatchObject({ channelId: ch.channelId, unclaimed: 2n * price })
      expect(failing.closesAt).toBeGreaterThan(0n)
      expect(failing.message).toMatch(/retrying until its window ends in \d+ s/)
      // Without a formatter (the agent gives gUSD), amounts say what unit they are in.
      expect(failing.message).toContain(`Claiming ${2n * price} (base units) on closing channel`)

      await t.testClient.increaseTime({ seconds: 61 })
      await t.testClient.mine({ blocks: 1 })
      await finalizeChannel(payerSide.walletClient!, t.publicClient, {
        channels: t.channels,
        key: ch.key,
      })
      await expect
        .poll(() => warnings.map((w) => w.code), { timeout: 15_000 })
        .toContain('CLAIM_MISSED')
      expect(warnings.at(-1)).toMatchObject({
        code: 'CLAIM_MISSED',
        channelId: ch.channelId,
        unclaimed: 2n * price,
      })
      expect(await settler.unclaimed()).toEqual([])
    } finally {
      stop()
    }
  })

  test('unclaimed() lists what a payee going offline leaves at stake', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(2)
    const ch = await t.channel(payerSide, payeeSide, { deposit: 100_000n, challengePeriod: 600 })
    for (let n = 1; n <= 3; n++) await t.call(payerSide, payeeSide, ch, n)
    const settler = createSettler({
      payee: payeeSide.payee,
      store: payeeSide.store,
      wallet: payeeSide.walletClient!,
      publicClient: t.publicClient,
      channels: t.channels,
    })
    expect(await settler.unclaimed()).toEqual([
      {
        channelId: ch.channelId,
        unclaimed: 3n * price,
        status: 'open',
        closesAt: 0n,
        challengePeriod: 600n,
      },
    ])
    await settler.claim(ch.channelId)
    expect(await settler.unclaimed()).toEqual([])
  })
})
