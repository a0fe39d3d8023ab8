import type { Agent } from '@gotong/agent'
import { gotongDomain, noEnvelopeHash, receiptTypes } from '@gotong/core'
import { negotiate } from '@gotong/negotiation'
import { channelIdOf } from '@gotong/payments'
import { claimChannel } from '@gotong/payments/payee'
import { startCloseChannel } from '@gotong/payments/payer'
import { type Hex, keccak256, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
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
  until,
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
const curveN = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

/** A provider serving a counting tool and a consumer that made `calls` honest paid calls. */
async function pair(
  providerIndex: number,
  consumerIndex: number,
  name: string,
  options: { calls?: number; quota?: number } = {},
) {
  const provider = await t.agent(providerIndex)
  const counted = countingTool(name)
  const served = await provider.serve(counted.tool, {
    price,
    ...(options.quota ? { quota: { callsPerChannel: options.quota } } : {}),
  })
  const consumer = await t.agent(consumerIndex)
  for (let i = 0; i < (options.calls ?? 2); i++)
    await consumer.call(served.toolId, { text: `honest call ${i}` })
  const relationship = relationshipOf(consumer)
  const domain = { chainId: t.devnet.chainId, channels: t.contracts.paymentChannels }
  const raw = rawClient(t.key(consumerIndex), t.devnet.chainId, provider)
  const route = `tools/${name}/call`
  /**
   * Sends a hand-made voucher on the consumer's channel to the provider's call route, signed
   * for the envelope it goes out in (unless `voucher` names another `envelopeHash`); a
   * `signature` function gets that honest signature and returns the one to send.
   */
  const send = (voucher: Partial<VoucherFields>, signature?: Hex | ((s: Hex) => Hex)) =>
    codeOf(
      raw.request(
        route,
        { termsHash: relationship.termsHash, input: { text: 'forged' } },
        {
          pay: async (envelopeHash) => {
            const fields: VoucherFields = {
              channelId: relationship.channelId,
              termsHash: relationship.termsHash,
              calls: relationship.calls + 1n,
              cumulativeAmount: relationship.cumulative + price,
              envelopeHash,
              ...voucher,
            }
            const signed = await signVoucher(t.key(consumerIndex), domain, fields)
            const sig = typeof signature === 'function' ? signature(signed) : (signature ?? signed)
            return payment(domain, fields, sig)
          },
        },
      ),
    )
  return { provider, consumer, served, counted, relationship, domain, send, raw, route }
}

/** What the payee holds for a channel: must not move when it refuses something. */
const payeeState = async (provider: Agent, channelId: Hex) => {
  const channel = (await provider.payee.getChannel(channelId))!
  return {
    vouchers: provider.ledger().earned.map((v) => [v.calls, v.cumulativeAmount, v.status]),
    highestCalls: channel.highestCalls,
    highestCumulative: channel.highestCumulative,
    claimed: channel.claimed,
  }
}

describe('bad vouchers at a serving agent’s call route', () => {
  test('non-monotonic, over-deposit, under-priced, over-quota and replayed vouchers: distinct codes, the handler never runs, nothing recorded', async () => {
    const p = await pair(1, 2, 'voucher-rules', { calls: 2, quota: 5 })
    expect(p.counted.runs()).toBe(2)
    const before = await payeeState(p.provider, p.relationship.channelId)
    const { deposit } = p.relationship
    const codes = {
      // Call 1 again, for another amount than it was paid with.
      nonMonotonic: await p.send({ calls: 1n, cumulativeAmount: 2n * price }),
      overDeposit: await p.send({ cumulativeAmount: deposit + 1n }),
      underPriced: await p.send({ cumulativeAmount: 3n * price - 1n }),
      overQuota: await p.send({ calls: 6n, cumulativeAmount: 6n * price }),
      replayed: await p.send({ calls: 2n, cumulativeAmount: 2n * price }),
    }
    expect(codes).toEqual({
      nonMonotonic: 'VOUCHER_NON_MONOTONIC',
      overDeposit: 'VOUCHER_OVER_DEPOSIT',
      underPriced: 'VOUCHER_UNDERPRICED',
      overQuota: 'VOUCHER_QUOTA_EXCEEDED',
      replayed: 'VOUCHER_REPLAYED',
    })
    expect(p.counted.runs()).toBe(2)
    expect(await payeeState(p.provider, p.relationship.channelId)).toEqual(before)
    // The honest consumer carries on exactly where it was: call 3 at 3 × price.
    const next = await p.consumer.call(p.served.toolId, { text: 'after the attack' })
    expect(next.rail === 'channel' && next.receipt.receipt).toMatchObject({
      calls: 3n,
      cumulativeAmount: 3n * price,
    })
    expect(p.counted.runs()).toBe(3)
  })
})

describe('a voucher authenticates the one request it was signed for', () => {
  test('a voucher bound to another request, or to none, is refused with VOUCHER_REQUEST_MISMATCH and charges nothing, off chain or on; honest vouchers still claim on chain', async () => {
    const p = await pair(1, 4, 'request-bound', { calls: 2 })
    const before = await payeeState(p.provider, p.relationship.channelId)
    const providerBalance = await t.balance(p.provider.address)
    // An honest paid call taken off the wire: its payment, re-attached to another input.
    let captured: unknown
    const first = await codeOf(
      p.raw.request(
        p.route,
        { termsHash: p.relationship.termsHash, input: { text: 'the payer’s own request' } },
        {
          idempotencyKey: 'captured-call',
          pay: async (envelopeHash) => {
            const fields: VoucherFields = {
              channelId: p.relationship.channelId,
              termsHash: p.relationship.termsHash,
              calls: p.relationship.calls + 1n,
              cumulativeAmount: p.relationship.cumulative + price,
              envelopeHash,
            }
            captured = payment(p.domain, fields, await signVoucher(t.key(4), p.domain, fields))
            return captured
          },
        },
      ),
    )
    expect(first).toBe('ok')
    expect(p.counted.runs()).toBe(3)
    const served = await payeeState(p.provider, p.relationship.channelId)
    const codes = {
      // The captured payment on the attacker's own input, in a fresh envelope.
      capturedOnOtherInput: await codeOf(
        p.raw.request(
          p.route,
          { termsHash: p.relationship.termsHash, input: { text: 'the attacker’s request' } },
          { pay: () => captured },
        ),
      ),
      // The same input and idempotency key, but a new envelope: still another request.
      capturedOnSameInput: await codeOf(
        p.raw.request(
          p.route,
          { termsHash: p.relationship.termsHash, input: { text: 'the payer’s own request' } },
          { idempotencyKey: 'captured-call', pay: () => captured },
        ),
      ),
      // A voucher signed for no request (as A2A's are) cannot authenticate a paid call.
      zeroEnvelopeHash: await p.send({
        calls: p.relationship.calls + 2n,
        cumulativeAmount: p.relationship.cumulative + 2n * price,
        envelopeHash: noEnvelopeHash,
      }),
      otherEnvelopeHash: await p.send({
        calls: p.relationship.calls + 2n,
        cumulativeAmount: p.relationship.cumulative + 2n * price,
        envelopeHash: keccak256(toHex('another request')),
      }),
    }
    expect(codes).toEqual({
      capturedOnOtherInput: 'VOUCHER_REQUEST_MISMATCH',
      capturedOnSameInput: 'VOUCHER_REQUEST_MISMATCH',
      zeroEnvelopeHash: 'VOUCHER_REQUEST_MISMATCH',
      otherEnvelopeHash: 'VOUCHER_REQUEST_MISMATCH',
    })
    // Only the honest call ran and was recorded; the refusals moved nothing.
    expect(p.counted.runs()).toBe(3)
    expect(await payeeState(p.provider, p.relationship.channelId)).toEqual(served)
    expect(served.vouchers).toHaveLength(before.vouchers.length + 1)
    // The newest voucher, bound to its request, claims on chain for exactly what was served.
    const newest = p.provider
      .ledger()
      .earned.filter((v) => v.channelId === p.relationship.channelId && v.status === 'committed')
      .reduce((a, b) => (b.calls > a.calls ? b : a))
    expect(newest.envelopeHash).not.toBe(noEnvelopeHash)
    await claimChannel(t.wallet(1), t.devnet.publicClient, {
      channels: p.domain.channels,
      key: p.relationship.key,
      voucher: newest,
      signature: newest.signature,
    })
    expect((await t.channel(p.relationship.channelId)).claimed).toBe(3n * price)
    expect(await t.balance(p.provider.address)).toBe(providerBalance + 3n * price)
  })
})

describe('malformed signatures are refused by the agent and by the contract', () => {
  test('high s, 64-byte compact, bad v, zero-address recovery, wrong length, a signature over another struct', async () => {
    const p = await pair(1, 3, 'signature-rules', { calls: 1 })
    const voucher: VoucherFields = {
      channelId: p.relationship.channelId,
      termsHash: p.relationship.termsHash,
      calls: 2n,
      cumulativeAmount: 2n * price,
    }
    const otherStruct = await privateKeyToAccount(t.key(3)).signTypedData({
      domain: gotongDomain({ chainId: t.devnet.chainId, verifyingContract: p.domain.channels }),
      types: receiptTypes,
      primaryType: 'Receipt',
      message: {
        termsHash: voucher.termsHash,
        channelId: voucher.channelId,
        calls: voucher.calls,
        cumulativeAmount: voucher.cumulativeAmount,
        requestHash: keccak256(toHex('request')),
        responseHash: keccak256(toHex('response')),
        servedAt: 1n,
      },
    })
    // Each made from the honest signature of the voucher it is sent with: the agent's is signed
    // for its envelope, the contract's (a claim, made without a request) for none.
    const parts = (good: Hex) => ({
      r: good.slice(2, 66),
      s: BigInt(`0x${good.slice(66, 130)}`),
      v: Number.parseInt(good.slice(130), 16),
    })
    const malformed: Record<string, (good: Hex) => Hex> = {
      highS: (good) => {
        const { r, s, v } = parts(good)
        return `0x${r}${(curveN - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}`
      },
      compact64: (good) => {
        const { r, s, v } = parts(good)
        return `0x${r}${((BigInt(v - 27) << 255n) | s).toString(16).padStart(64, '0')}`
      },
      badV: (good) => `0x${parts(good).r}${good.slice(66, 130)}1d`,
      zeroRecovery: () => `0x${'00'.repeat(64)}1b`,
      wrongLength: (good) => `${good}00`,
      otherStruct: () => otherStruct,
    }
    const good = await signVoucher(t.key(3), p.domain, voucher)
    const expected: Record<string, [agent: string, contract: string]> = {
      highS: ['VOUCHER_MALFORMED', 'MalformedSignature'],
      compact64: ['VOUCHER_MALFORMED', 'MalformedSignature'],
      badV: ['VOUCHER_MALFORMED', 'MalformedSignature'],
      zeroRecovery: ['VOUCHER_MALFORMED', 'MalformedSignature'],
      wrongLength: ['VOUCHER_MALFORMED', 'MalformedSignature'],
      otherStruct: ['VOUCHER_BAD_SIGNATURE', 'WrongSigner'],
    }
    const before = await payeeState(p.provider, p.relationship.channelId)
    const providerBalance = await t.balance(p.provider.address)
    const seen: Record<string, [string, string]> = {}
    for (const [kind, make] of Object.entries(malformed)) {
      const agent = await p.send(voucher, make)
      const contract = await claimChannel(t.wallet(1), t.devnet.publicClient, {
        channels: p.domain.channels,
        key: p.relationship.key,
        voucher: voucherOf(voucher),
        signature: make(good),
      }).then(
        () => 'claimed',
        (e: { code?: string; details?: string }) => `${e.details}`,
      )
      seen[kind] = [agent, contract]
    }
    expect(seen).toEqual(expected)
    expect(p.counted.runs()).toBe(1)
    expect(await payeeState(p.provider, p.relationship.channelId)).toEqual(before)
    expect(await t.balance(p.provider.address)).toBe(providerBalance)
    expect((await t.channel(p.relationship.channelId)).claimed).toBe(0n)
    // The honest signature of the same voucher is good.
    expect(await p.send(voucher)).toBe('ok')
    expect(p.counted.runs()).toBe(2)
  })

  // OpenZeppelin's ECDSA takes v = 27/28 only (ecrecover returns address(0) for 0/1): a payee
  // that accepted 0/1 would serve calls whose voucher can never be claimed.
  test('a v = 0/1 signature, which the contract refuses, is refused by the agent too', async () => {
    const p = await pair(1, 4, 'v-rules', { calls: 1 })
    const voucher: VoucherFields = {
      channelId: p.relationship.channelId,
      termsHash: p.relationship.termsHash,
      calls: 2n,
      cumulativeAmount: 2n * price,
    }
    const good = await signVoucher(t.key(4), p.domain, voucher)
    const v01 =
      `${good.slice(0, 130)}${(Number.parseInt(good.slice(130), 16) - 27).toString(16).padStart(2, '0')}` as Hex
    const onChain = await claimChannel(t.wallet(1), t.devnet.publicClient, {
      channels: p.domain.channels,
      key: p.relationship.key,
      voucher: voucherOf(voucher),
      signature: v01,
    }).then(
      () => 'claimed',
      (e: { details?: string }) => e.details,
    )
    expect(onChain).toBe('MalformedSignature')
    const toV01 = (good: Hex) =>
      `${good.slice(0, 130)}${(Number.parseInt(good.slice(130), 16) - 27).toString(16).padStart(2, '0')}` as Hex
    expect(await p.send(voucher, toV01)).toBe('VOUCHER_MALFORMED')
    expect(p.counted.runs()).toBe(1)
  })
})

describe('no tool call runs on an unfunded or closing channel', () => {
  test('terms agreed but never funded: a voucher on a channel never opened, and a fund request for it, are refused; the handler never runs', async () => {
    const provider = await t.agent(1)
    const counted = countingTool('unfunded')
    const served = await provider.serve(counted.tool, { price })
    const consumerKey = t.key(5)
    const raw = rawClient(consumerKey, t.devnet.chainId, provider)
    // Negotiate by hand and "fund" with a channel that was never opened.
    const key = {
      payer: t.address(5),
      payee: provider.address,
      token: t.contracts.gotongToken,
      challengePeriod: 3_600,
      salt: keccak256(toHex('never opened')),
    }
    const channelId = channelIdOf(key, {
      chainId: t.devnet.chainId,
      channels: t.contracts.paymentChannels,
    })
    const deal = await negotiate(
      {
        signer: privateKeyToAccount(consumerKey),
        send: (to, message, { signal }) =>
          raw.client.request(to as Hex, 'tools/unfunded/negotiate', message, { signal }),
      },
      {
        providers: [provider.address],
        chainId: t.devnet.chainId,
        tool: {
          registry: t.contracts.toolDirectory,
          toolId: served.toolId,
          manifestHash: served.manifestHash,
        },
        constraints: { maxPricePerCall: price, calls: 10n },
        fund: async () => ({ channelId }),
      },
    )
    deal.actor.stop()
    const { termsHash } = deal.agreement
    const domain = { chainId: t.devnet.chainId, channels: t.contracts.paymentChannels }
    const pay = async (envelopeHash: Hex) => {
      const voucher = { channelId, termsHash, calls: 1n, cumulativeAmount: price, envelopeHash }
      return payment(domain, voucher, await signVoucher(consumerKey, domain, voucher))
    }
    const call = () =>
      codeOf(raw.request('tools/unfunded/call', { termsHash, input: { text: 'x' } }, { pay }))
    expect(await call()).toBe('VOUCHER_UNKNOWN_CHANNEL')
    expect(await codeOf(raw.request('tools/unfunded/fund', { termsHash, key }))).toBe(
      'PAYMENT_REFUSED',
    )
    expect(await call()).toBe('VOUCHER_CHANNEL_CLOSING')
    expect(counted.runs()).toBe(0)
    expect(provider.ledger().earned).toEqual([])
  })

  test('a channel its payer started closing: once the provider has seen the close, calls are refused and nothing runs', async () => {
    const p = await pair(1, 2, 'closing', { calls: 3 })
    await startCloseChannel(t.wallet(2), t.devnet.publicClient, {
      channels: t.contracts.paymentChannels,
      key: p.relationship.key,
    })
    // The serving agent's watcher sees CloseStarted and claims the newest voucher.
    await until(async () => (await t.channel(p.relationship.channelId)).claimed === 3n * price, {
      what: 'the watcher’s claim',
    })
    expect((await p.provider.payee.getChannel(p.relationship.channelId))?.status).toBe('closing')
    const runs = p.counted.runs()
    // The consumer's runtime does not know yet; the provider refuses.
    expect(await codeOf(p.consumer.call(p.served.toolId, { text: 'late' }))).toBe(
      'VOUCHER_CHANNEL_CLOSING',
    )
    expect(await p.send({})).toBe('VOUCHER_CHANNEL_CLOSING')
    expect(p.counted.runs()).toBe(runs)
    expect(p.provider.ledger().earned.filter((v) => v.status === 'committed')).toHaveLength(3)
  })
})
