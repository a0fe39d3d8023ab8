import { paymentChannelsAbi, paymentChannelsBytecode } from '@gotong/contracts'
import { claimChannel } from '@gotong/payments/payee'
import { openChannel } from '@gotong/payments/payer'
import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  codeOf,
  countingTool,
  payment,
  rawClient,
  relationshipOf,
  type Setup,
  setup,
  signVoucher,
  type VoucherFields,
  voucherOf,
} from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

const price = 1_000n

/**
 * A provider (account 1) serving two tools, and a consumer (account 2) with a channel to each,
 * two honest calls on each: channels X and Y of one payer and one payee. (A consumer keeps one
 * channel per provider while it has room: tool B asks a deposit that X's room does not cover,
 * so B's agreement opens Y.)
 */
async function twoChannels() {
  const provider = await t.agent(1)
  const a = countingTool('replay-a')
  const b = countingTool('replay-b')
  const servedA = await provider.serve(a.tool, { price })
  const servedB = await provider.serve(b.tool, { price, minDeposit: price * 100n })
  const consumer = await t.agent(2)
  for (const toolId of [servedA.toolId, servedA.toolId]) await consumer.call(toolId, { text: 'a' })
  const x = relationshipOf(consumer)
  for (const toolId of [servedB.toolId, servedB.toolId]) await consumer.call(toolId, { text: 'b' })
  const y = relationshipOf(consumer, { not: [x.channelId] })
  const raw = rawClient(t.key(2), t.devnet.chainId, provider)
  const home = { chainId: t.devnet.chainId, channels: t.contracts.paymentChannels }
  /**
   * Sends a voucher to the call route of the tool whose terms it names (X's terms: tool A,
   * anything else: tool B), as a call under those terms. The voucher names the envelope it goes
   * out in (unless it names another) and is signed for it by the payer, unless `signature`
   * (then a signature of something else) is given.
   */
  const send = (voucher: VoucherFields, signature?: Hex, domain: typeof home = home) =>
    codeOf(
      raw.request(
        `tools/replay-${voucher.termsHash === x.termsHash ? 'a' : 'b'}/call`,
        { termsHash: voucher.termsHash, input: { text: 'replayed' } },
        {
          pay: async (envelopeHash) => {
            const fields = { envelopeHash, ...voucher }
            return payment(
              domain,
              fields,
              signature ?? (await signVoucher(t.key(2), domain, fields)),
            )
          },
        },
      ),
    )
  const claim = (
    voucher: VoucherFields,
    signature: Hex,
    key = x.key,
    channels: Address = home.channels,
  ) =>
    claimChannel(t.wallet(1), t.devnet.publicClient, {
      channels,
      key,
      voucher: voucherOf(voucher),
      signature,
    }).then(
      () => 'claimed',
      (e: { details?: string }) => String(e.details),
    )
  const runs = () => a.runs() + b.runs()
  const earned = () => provider.ledger().earned.map((v) => [v.channelId, v.calls, v.status])
  return { provider, consumer, x, y, send, claim, runs, earned, home, raw }
}

describe('a voucher pays for one channel, on one chain, at one contract', () => {
  test('across channels: a voucher of channel X replayed on Y is refused off chain and on chain', async () => {
    const c = await twoChannels()
    const servedOnX = c.consumer.ledger().paid.find((v) => v.channelId === c.x.channelId)!
    const voucherX: VoucherFields = {
      channelId: c.x.channelId,
      termsHash: c.x.termsHash,
      calls: 3n,
      cumulativeAmount: 3n * price,
    }
    const signatureX = await signVoucher(t.key(2), c.home, voucherX)
    // X's next voucher, with its own channel id but moved to Y's terms; then its fields moved
    // wholesale to Y (the signature still X's); then a voucher X already used.
    const onY = { ...voucherX, channelId: c.y.channelId, termsHash: c.y.termsHash }
    const before = { runs: c.runs(), earned: c.earned() }
    const served: VoucherFields = {
      channelId: servedOnX.channelId,
      termsHash: servedOnX.termsHash,
      calls: servedOnX.calls,
      cumulativeAmount: servedOnX.cumulativeAmount,
    }
    expect({
      // The served voucher as it was sent: bound to its own request, not this one.
      servedVoucherAsSent: await c.send(
        { ...served, envelopeHash: servedOnX.envelopeHash },
        servedOnX.signature!,
      ),
      // The same call and amount signed again by the payer, for this request.
      servedVoucherAgain: await c.send(served),
      movedToY: await c.send(onY, signatureX),
      // X's own next voucher, offered as payment for a call under Y's terms.
      underYsTerms: await codeOf(
        c.raw.request(
          'tools/replay-b/call',
          { termsHash: c.y.termsHash, input: { text: 'replayed' } },
          {
            pay: async (envelopeHash) => {
              const fields = { ...voucherX, envelopeHash }
              return payment(c.home, fields, await signVoucher(t.key(2), c.home, fields))
            },
          },
        ),
      ),
    }).toEqual({
      servedVoucherAsSent: 'VOUCHER_REQUEST_MISMATCH',
      servedVoucherAgain: 'VOUCHER_REPLAYED',
      movedToY: 'VOUCHER_BAD_SIGNATURE',
      underYsTerms: 'VOUCHER_TERMS_MISMATCH',
    })
    // On chain: the key decides the channel, and X's signature does not cover Y.
    expect(await c.claim({ ...voucherX, termsHash: c.y.termsHash }, signatureX, c.y.key)).toBe(
      'WrongSigner',
    )
    expect(await c.claim(onY, signatureX, c.y.key)).toBe('WrongSigner')
    expect({ runs: c.runs(), earned: c.earned() }).toEqual(before)
    expect((await t.channel(c.y.channelId)).claimed).toBe(0n)
  })

  test('across chain ids (anvil_setChainId): refused off chain and on chain; the same voucher claims once the chain is back', async () => {
    const c = await twoChannels()
    const voucher: VoucherFields = {
      channelId: c.x.channelId,
      termsHash: c.x.termsHash,
      calls: 2n,
      cumulativeAmount: 2n * price,
    }
    const fork = { ...c.home, chainId: 999 }
    const signedForFork = await signVoucher(t.key(2), fork, voucher)
    const paidHere = c.consumer
      .ledger()
      .paid.find((v) => v.channelId === c.x.channelId && v.calls === 2n)!
    const signedHere = paidHere.signature!
    // What the payer signed for call 2: bound to the request it paid for.
    const sentHere = { ...voucher, envelopeHash: paidHere.envelopeHash }
    const before = { runs: c.runs(), earned: c.earned() }
    expect({
      forkVoucher: await c.send(voucher, signedForFork, fork),
      forkVoucherClaimingThisChain: await c.send(voucher, signedForFork),
    }).toEqual({
      forkVoucher: 'VOUCHER_WRONG_CHAIN',
      forkVoucherClaimingThisChain: 'VOUCHER_BAD_SIGNATURE',
    })
    expect(await c.claim(voucher, signedForFork)).toBe('WrongSigner')
    // The node now says it is chain 999: the contract's EIP-712 domain follows block.chainid.
    await t.testClient.request({ method: 'anvil_setChainId', params: [999] } as never)
    try {
      expect(await t.devnet.publicClient.getChainId()).toBe(999)
      expect(await c.claim(sentHere, signedHere)).toBe('WrongSigner')
    } finally {
      await t.testClient.request({ method: 'anvil_setChainId', params: [31337] } as never)
    }
    expect((await t.channel(c.x.channelId)).claimed).toBe(0n)
    expect(await c.claim(voucher, signedHere)).toBe('WrongSigner')
    expect(await c.claim(sentHere, signedHere)).toBe('claimed')
    expect((await t.channel(c.x.channelId)).claimed).toBe(2n * price)
    expect({ runs: c.runs(), earned: c.earned() }).toEqual(before)
  })

  test('across two deployments of PaymentChannels: refused off chain and on chain, even for the same channel key', async () => {
    const c = await twoChannels()
    const deployer = t.wallet(0)
    const hash = await deployer.deployContract({
      abi: paymentChannelsAbi,
      bytecode: paymentChannelsBytecode,
      args: [],
    })
    const second = (await t.devnet.publicClient.waitForTransactionReceipt({ hash }))
      .contractAddress!
    // The payer opens X's very key at the second deployment: another channel id.
    const twin = await openChannel(t.wallet(2), t.devnet.publicClient, {
      channels: second,
      payee: c.provider.address,
      token: t.contracts.gotongToken,
      deposit: 50_000n,
      challengePeriod: c.x.key.challengePeriod,
      salt: c.x.key.salt,
    })
    expect(twin.key).toEqual(c.x.key)
    expect(twin.channelId).not.toBe(c.x.channelId)
    const there = { ...c.home, channels: second }
    const voucherX: VoucherFields = {
      channelId: c.x.channelId,
      termsHash: c.x.termsHash,
      calls: 3n,
      cumulativeAmount: 3n * price,
    }
    const signedThere = await signVoucher(t.key(2), there, voucherX)
    const signedHere = await signVoucher(t.key(2), c.home, voucherX)
    const before = { runs: c.runs(), earned: c.earned() }
    expect({
      otherContract: await c.send(voucherX, signedThere, there),
      otherContractClaimingThisOne: await c.send(voucherX, signedThere),
    }).toEqual({
      otherContract: 'VOUCHER_WRONG_CONTRACT',
      otherContractClaimingThisOne: 'VOUCHER_BAD_SIGNATURE',
    })
    const twinVoucher = { ...voucherX, channelId: twin.channelId }
    const results = {
      hereAtSecond: await c.claim(voucherX, signedHere, c.x.key, second),
      hereAtSecondWithTwinId: await c.claim(twinVoucher, signedHere, c.x.key, second),
      secondsAtHome: await c.claim(voucherX, signedThere),
    }
    expect(results).toEqual({
      hereAtSecond: 'WrongSigner',
      hereAtSecondWithTwinId: 'WrongSigner',
      secondsAtHome: 'WrongSigner',
    })
    expect((await t.channel(twin.channelId, second)).claimed).toBe(0n)
    expect((await t.channel(c.x.channelId)).claimed).toBe(0n)
    expect({ runs: c.runs(), earned: c.earned() }).toEqual(before)
  })
})
