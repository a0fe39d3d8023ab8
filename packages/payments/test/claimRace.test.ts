import { paymentChannelsAbi } from '@gotong/contracts'
import { createWalletClient, custom, type Hash, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { claimChannel, createSettler } from '../src/payee.js'
import { price, type Setup, setup } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

describe('a claim racing another sender with the payee’s key (its agent, `gotong channels claim`)', () => {
  test('the other takes the nonce with a claim of part: the settler claims the rest, and says what it paid', async () => {
    const payerSide = t.payerOf(1)
    const payeeSide = t.payeeOf(2)
    const ch = await t.channel(payerSide, payeeSide, { deposit: 100_000n })
    for (let n = 1; n <= 3; n++) await t.call(payerSide, payeeSide, ch, n)
    const first = payeeSide.store
      .listVouchers({ channelId: ch.channelId, status: 'committed' })
      .find((v) => v.calls === 1n)!
    const before = await t.balance(payeeSide.payee.address)

    // The other process's claim of the first call is mined between this claim's nonce and its
    // send, so the node refuses this one: nonce too low.
    let other: Hash | undefined
    const node = http(t.devnet.rpcUrl)({ chain: t.devnet.chain, retryCount: 0 })
    const wallet = createWalletClient({
      account: privateKeyToAccount(t.account(2).privateKey),
      chain: t.devnet.chain,
      transport: custom({
        async request({ method, params }: { method: string; params?: unknown }) {
          if (method === 'eth_sendRawTransaction' && !other)
            ({ hash: other } = await claimChannel(payeeSide.walletClient!, t.publicClient, {
              channels: t.channels,
              key: ch.key,
              voucher: first,
              signature: first.signature,
            }))
          return node.request({ method, params } as never)
        },
      }),
    })
    const settler = createSettler({
      payee: payeeSide.payee,
      store: payeeSide.store,
      wallet,
      publicClient: payeeSide.publicClient,
      channels: t.channels,
    })

    const claimed = await settler.claim(ch.channelId)
    expect(other).toBeDefined()
    expect(claimed?.hash).not.toBe(other)
    expect(claimed?.amount).toBe(2n * price)
    const onChain = await t.publicClient.readContract({
      address: t.channels,
      abi: paymentChannelsAbi,
      functionName: 'getChannel',
      args: [ch.channelId],
    })
    expect(onChain.claimed).toBe(3n * price)
    expect(await t.balance(payeeSide.payee.address)).toBe(before + 3n * price)
    expect(payeeSide.store.getChannel(ch.channelId)?.claimed).toBe(3n * price)
    // Nothing is left: another claim sends nothing.
    expect(await settler.claim(ch.channelId)).toBeUndefined()
  })
})
