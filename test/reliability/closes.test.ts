import { type CreateAgentParameters, defineTool } from '@gotong/agent'
import { paymentChannelsAbi } from '@gotong/contracts'
import { finalizeChannel, startCloseChannel } from '@gotong/payments/payer'
import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { codeOf, countingTool, relationshipOf, type Setup, setup, until } from './fixture.js'
import { startRpcProxy } from './rpcProxy.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

const price = 1_000n
const window = 3_600 // the challenge period consumer agents open channels with

/** A provider (account 1) serving a counting tool and a consumer (account 2) calling it. */
async function pair(name: string, provider: Partial<CreateAgentParameters> = {}) {
  const store = provider.store ?? t.store('provider')
  const agent = await t.agent(1, { ...provider, store })
  const counted = countingTool(name)
  const served = await agent.serve(counted.tool, { price })
  const consumer = await t.agent(2)
  const call = async (n: number) => {
    for (let i = 0; i < n; i++) await consumer.call(served.toolId, { text: `call ${i}` })
  }
  const close = async () => {
    const { key, channelId } = relationshipOf(consumer)
    await startCloseChannel(t.wallet(2), t.devnet.publicClient, {
      channels: t.contracts.paymentChannels,
      key,
    })
    return (await t.channel(channelId)).closesAt
  }
  const finalize = () =>
    finalizeChannel(t.wallet(2), t.devnet.publicClient, {
      channels: t.contracts.paymentChannels,
      key: relationshipOf(consumer).key,
    })
  return { provider: agent, store, consumer, served, counted, call, close, finalize }
}

/** The block time of every claim on a channel: when the payee's money was secured. */
async function claimTimes(channelId: Hex) {
  const logs = await t.devnet.publicClient.getContractEvents({
    address: t.contracts.paymentChannels,
    abi: paymentChannelsAbi,
    eventName: 'Claimed',
    args: { channelId },
    fromBlock: BigInt(t.devnet.deployments!.startBlock),
  })
  return Promise.all(
    logs.map(
      async (log) =>
        (await t.devnet.publicClient.getBlock({ blockNumber: log.blockNumber })).timestamp,
    ),
  )
}

describe('stale closes', () => {
  test('the payer closes after an old claim: the serving agent’s watcher claims the newest voucher inside the window', async () => {
    const p = await pair('stale-close')
    const providerStart = await t.balance(p.provider.address)
    const consumerStart = await t.balance(p.consumer.address)
    await p.call(3)
    const { channelId, deposit } = relationshipOf(p.consumer)
    expect((await p.provider.settler.claim(channelId))?.amount).toBe(3n * price) // the old figure
    await p.call(4)
    const closesAt = await p.close()
    // Nobody asks the agent: its watcher follows CloseStarted on its own.
    await until(async () => (await t.channel(channelId)).claimed === 7n * price, {
      what: 'the watcher’s claim of the newest voucher',
    })
    expect((await claimTimes(channelId)).every((at) => at < closesAt)).toBe(true)
    await t.elapse(window + 1)
    await p.finalize()
    expect(await t.balance(p.provider.address)).toBe(providerStart + 7n * price)
    expect(await t.balance(p.consumer.address)).toBe(consumerStart - 7n * price)
    expect(deposit).toBeGreaterThan(7n * price)
  })

  test('the payee is offline past the window and the payer finalizes: it settles at the payer’s figure; back online, the payee’s state and its claim say what was missed', async () => {
    const p = await pair('offline-payee')
    const providerStart = await t.balance(p.provider.address)
    await p.call(2)
    const { channelId } = relationshipOf(p.consumer)
    await p.provider.settler.claim(channelId)
    await p.call(3)
    await p.provider.stop() // offline, holding 5 calls' vouchers, 2 claimed
    // Warned on going offline, before any close: what is at stake and by when to be back.
    const { channelId: owedOn } = relationshipOf(p.consumer)
    expect(t.warnings.filter((w) => w.channelId === owedOn)).toEqual([
      expect.objectContaining({
        code: 'UNCLAIMED_AT_STOP',
        unclaimed: 3n * price,
        message: expect.stringContaining(`within ${window} s`),
      }),
    ])
    await p.close()
    await t.elapse(window + 1)
    await p.finalize()
    expect((await t.channel(channelId)).status).toBe(3) // Closed
    expect(await t.balance(p.provider.address)).toBe(providerStart + 2n * price)

    // Back on the same store: serving starts the watcher, which reads the channel as closed.
    const back = await t.agent(1, { store: p.store })
    await back.serve(countingTool('offline-payee-2').tool, { price })
    const channel = await until(async () => {
      const c = await back.payee.getChannel(channelId)
      return c?.status === 'closed' ? c : undefined
    })
    const owed = back.ledger().earned.filter((v) => v.channelId === channelId)
    const newest = owed.reduce(
      (max, v) => (v.cumulativeAmount > max ? v.cumulativeAmount : max),
      0n,
    )
    expect({ claimed: channel.claimed, newest, missed: newest - channel.claimed }).toEqual({
      claimed: 2n * price,
      newest: 5n * price,
      missed: 3n * price,
    })
    const error = await back.settler.claim(channelId).catch((e) => e)
    expect(error).toMatchObject({ code: 'CHANNEL_TX_FAILED', details: 'ChannelIsClosed' })
    expect(await t.balance(p.provider.address)).toBe(providerStart + 2n * price)
  })

  test('the payee is offline past closesAt but back before the payer finalizes: it claims on return', async () => {
    const p = await pair('late-payee')
    await p.call(4)
    const { channelId } = relationshipOf(p.consumer)
    await p.provider.stop()
    const closesAt = await p.close()
    await t.elapse(window + 1)
    const back = await t.agent(1, { store: p.store })
    await back.serve(countingTool('late-payee-2').tool, { price })
    await until(async () => (await t.channel(channelId)).claimed === 4n * price, {
      what: 'the claim on return',
    })
    expect((await claimTimes(channelId))[0]).toBeGreaterThan(closesAt)
    await p.finalize()
    expect(await t.paidOut(channelId)).toBe(4n * price)
  })

  // The watcher's first claim cannot include a call still running at the close; the payee
  // must claim again once it finished, inside the window.
  test('a call accepted before a close and finished after the watcher’s claim is still paid', async () => {
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const provider = await t.agent(1)
    const slow = defineTool({
      name: 'slow-close',
      description: 'Answers, slowly when asked to.',
      input: z.object({ slow: z.boolean() }),
      output: z.object({ ok: z.boolean() }),
      handler: async ({ slow }) => {
        if (slow) await held
        return { ok: true }
      },
    })
    const served = await provider.serve(slow, { price })
    const consumer = await t.agent(3)
    await consumer.call(served.toolId, { slow: false })
    await consumer.call(served.toolId, { slow: false })
    const { channelId, key } = relationshipOf(consumer)
    const pending = consumer.call(served.toolId, { slow: true })
    await until(() => provider.ledger().earned.some((v) => v.status === 'pending'))
    await startCloseChannel(t.wallet(3), t.devnet.publicClient, {
      channels: t.contracts.paymentChannels,
      key,
    })
    await until(async () => (await t.channel(channelId)).claimed === 2n * price)
    release()
    const done = await pending
    expect(done.rail === 'channel' && done.receipt.receipt.cumulativeAmount).toBe(3n * price) // served, receipted
    await until(async () => (await t.channel(channelId)).claimed === 3n * price, {
      timeout: 10_000,
      what: 'a claim of the call that finished after the close',
    })
    await t.elapse(window + 1)
    await finalizeChannel(t.wallet(3), t.devnet.publicClient, {
      channels: t.contracts.paymentChannels,
      key,
    })
    expect(await t.paidOut(channelId)).toBe(3n * price)
  })

  test('a claim policy makes the serving agent cash its vouchers without a close', async () => {
    const p = await pair('claim-policy', { claimPolicy: { minAmount: 2n * price, maxAgeMs: 0 } })
    await p.call(3)
    const { channelId } = relationshipOf(p.consumer)
    await until(async () => (await t.channel(channelId)).claimed >= 2n * price, {
      timeout: 5_000,
      what: 'a claim by policy',
    })
  })
})

describe('chain outages during a challenge window', () => {
  test('the chain stops mining: the watcher’s claim waits in the mempool and lands in time once blocks resume', async () => {
    const p = await pair('no-mining')
    await p.call(3)
    const { channelId, key } = relationshipOf(p.consumer)
    const rpc = (method: string, params: unknown[] = []) =>
      t.testClient.request({ method, params } as never) as Promise<unknown>
    await rpc('evm_setAutomine', [false])
    try {
      const closing = startCloseChannel(t.wallet(2), t.devnet.publicClient, {
        channels: t.contracts.paymentChannels,
        key,
      })
      const pendingCount = async () =>
        Number(((await rpc('txpool_status')) as { pending: string }).pending)
      await until(async () => (await pendingCount()) === 1, { what: 'the close in the mempool' })
      await rpc('evm_mine')
      await closing
      const { closesAt } = await t.channel(channelId)
      // The watcher saw the close and sent its claim; no block comes.
      await until(async () => (await pendingCount()) === 1, { what: 'the watcher’s claim' })
      expect((await t.channel(channelId)).claimed).toBe(0n)
      await rpc('anvil_setIntervalMining', [1])
      await until(async () => (await t.channel(channelId)).claimed === 3n * price, {
        what: 'the claim mined',
      })
      expect((await claimTimes(channelId)).every((at) => at < closesAt)).toBe(true)
    } finally {
      await rpc('anvil_setIntervalMining', [0])
      await rpc('evm_setAutomine', [true])
    }
  })

  test('the payee’s RPC fails while the close starts: the watcher keeps polling and claims in time when it recovers', async () => {
    const proxy = await startRpcProxy(t.devnet.rpcUrl)
    try {
      const network = { ...t.network, rpcUrl: proxy.url }
      const p = await pair('rpc-outage', { network, watchIntervalMs: 100 })
      await p.call(3)
      const { channelId } = relationshipOf(p.consumer)
      proxy.down()
      const closesAt = await p.close() // the payer's own RPC works
      const failedAt = proxy.failed()
      // The agent's watcher polls into the outage a number of times.
      await until(() => proxy.failed() >= failedAt + 10, { what: 'polls during the outage' })
      expect((await t.channel(channelId)).claimed).toBe(0n)
      // Said clearly while it lasts: closes go unseen.
      expect(t.warnings).toContainEqual(
        expect.objectContaining({
          agent: 1,
          code: 'WATCH_FAILING',
          message: expect.stringMatching(/Unclaimed: \d+(\.\d+)? gUSD\.$/),
        }),
      )
      proxy.up()
      await until(async () => (await t.channel(channelId)).claimed === 3n * price, {
        what: 'the claim after the outage',
      })
      expect((await claimTimes(channelId)).every((at) => at < closesAt)).toBe(true)
      expect(await codeOf(p.consumer.call(p.served.toolId, { text: 'late' }))).toBe(
        'VOUCHER_CHANNEL_CLOSING',
      )
    } finally {
      await proxy.close()
    }
  })
})
