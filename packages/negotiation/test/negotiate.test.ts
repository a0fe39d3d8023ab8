import { agreementTypes, gotongDomain, hashAgreement, type Proposal } from '@gotong/core'
import { recoverTypedDataAddress } from 'viem'
import { afterEach, describe, expect, test } from 'vitest'
import {
  concede,
  counterToward,
  NegotiationFailedError,
  negotiate,
  weightedScore,
} from '../src/index.js'
import {
  chainId,
  channels,
  consumer,
  network,
  providerAccounts,
  randomBytes,
  settle,
  simulatedClock,
  token,
  tool,
} from './fixtures.js'

const [a, b, c] = providerAccounts.map((account) => account.address) as [string, string, string]

let net: ReturnType<typeof network>
afterEach(() => net?.stop())

const constraints = { maxPricePerCall: 1_000n, calls: 100n }

/** Runs negotiate and returns the error it rejects with. */
async function failure(promise: Promise<unknown>): Promise<NegotiationFailedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(NegotiationFailedError)
  return error as NegotiationFailedError
}

describe('negotiate', () => {
  test('agrees with the cheapest of three providers; both signatures are real', async () => {
    const clock = simulatedClock()
    net = network(clock)
    net.provider(0, 900n)
    const cheapest = net.provider(1, 700n)
    net.provider(2, 800n)

    const deal = await negotiate(
      { signer: consumer, send: net.send, clock, randomBytes },
      { providers: [a, b, c], chainId, tool, constraints },
    )

    expect(deal.provider).toBe(b)
    expect(deal.failures).toEqual([])
    const { agreement, termsHash } = deal.agreement
    expect(agreement).toMatchObject({
      consumer: consumer.address,
      provider: b,
      registry: tool.registry,
      toolId: 1n,
      manifestHash: tool.manifestHash,
      token,
      pricePerCall: 700n,
      maxCalls: 100n,
      p95LatencyMs: 300,
      callsPerMinute: 600,
    })
    const domain = gotongDomain({ chainId, verifyingContract: channels })
    expect(termsHash).toBe(hashAgreement(agreement, domain))
    const typed = {
      domain,
      types: agreementTypes,
      primaryType: 'Agreement',
      message: agreement,
    } as const
    expect(
      await recoverTypedDataAddress({ ...typed, signature: deal.agreement.consumerSignature }),
    ).toBe(consumer.address)
    expect(
      await recoverTypedDataAddress({ ...typed, signature: deal.agreement.providerSignature }),
    ).toBe(b)
    // the provider holds the very same agreement
    expect(cheapest.agreements().map((x) => x.termsHash)).toEqual([termsHash])
    // what went over the wire: three calls for proposals, then one accept
    expect(net.log.map(({ to, message }) => `${message.type}→${to.slice(0, 6)}`)).toEqual([
      `cfp→${a.slice(0, 6)}`,
      `cfp→${b.slice(0, 6)}`,
      `cfp→${c.slice(0, 6)}`,
      `accept→${b.slice(0, 6)}`,
    ])

    const output = await deal.settle()
    expect(output.status).toBe('settled')
  })

  test('multi-attribute scoring pays a little more for a faster SLA', async () => {
    const clock = simulatedClock()
    net = network(clock)
    net.provider(0, 700n, { service: { token, p95LatencyMs: 2_000, callsPerMinute: 60 } })
    net.provider(1, 750n, { service: { token, p95LatencyMs: 150, callsPerMinute: 600 } })
    const client = { signer: consumer, send: net.send, clock, randomBytes }
    const wanted = { ...constraints, sla: { p95LatencyMs: 200, callsPerMinute: 300 } }

    const byPrice = await negotiate(client, {
      providers: [a, b],
      chainId,
      tool,
      constraints: wanted,
    })
    expect(byPrice.provider).toBe(a)

    const bySla = await negotiate(client, {
      providers: [a, b],
      chainId,
      tool,
      constraints: wanted,
      score: weightedScore({ price: 1, latency: 1, rate: 1 }),
    })
    expect(bySla.provider).toBe(b)
    expect(bySla.agreement.agreement).toMatchObject({ pricePerCall: 750n, p95LatencyMs: 150 })
  })

  test('a counter-offer round brings the price down to the provider’s floor', async () => {
    const clock = simulatedClock()
    net = network(clock)
    net.provider(0, 800n, { counter: concede({ maxBps: 1_000 }) })

    const deal = await negotiate(
      { signer: consumer, send: net.send, clock, randomBytes },
      {
        providers: [a],
        chainId,
        tool,
        constraints,
        maxRounds: 1,
        strategy: counterToward({ pricePerCall: 600n }),
      },
    )

    // asked 600, the provider conceded 10 % of 800 and no further
    expect(deal.agreement.agreement.pricePerCall).toBe(720n)
    expect(deal.proposal.round).toBe(1)
    expect(net.log.map(({ message, reply }) => `${message.type}:${reply?.type}`)).toEqual([
      'cfp:proposal',
      'counter:proposal',
      'accept:countersign',
    ])
    const counter = net.log[1]!.message
    expect(counter.type === 'counter' && counter.terms.pricePerCall).toBe(600n)
  })

  test('an offer that expires while the consumer decides: the next-best offer is taken', async () => {
    const clock = simulatedClock()
    net = network(clock)
    net.provider(0, 700n, { offerTtl: 10 })
    net.provider(1, 800n, { offerTtl: 600 })
    let release = () => {}
    const deal = negotiate(
      { signer: consumer, send: net.send, clock, randomBytes },
      {
        providers: [a, b],
        chainId,
        tool,
        constraints,
        // thinks long about the first (cheapest) offer
        strategy: ({ proposal }) =>
          proposal.payee === a
            ? new Promise((resolve) => {
                release = () => resolve({ type: 'accept' })
              })
            : { type: 'accept' },
      },
    )
    await settle()
    clock.increment(11_000)
    const result = await deal
    release()
    expect(result.provider).toBe(b)
    expect(result.failures).toEqual([
      {
        provider: a,
        stage: 'decide',
        reason: 'expired',
        message: 'the offer expired before it was countersigned',
      },
    ])
    // the expired offer was never accepted on the wire
    expect(net.log.filter(({ message }) => message.type === 'accept').map(({ to }) => to)).toEqual([
      b,
    ])
  })

  test('a provider unreachable at accept time: the next-best offer is taken', async () => {
    const clock = simulatedClock()
    net = network(clock)
    net.provider(0, 700n)
    net.provider(1, 800n)
    net.provider(2, 900n)
    net.overrides.set(a, async (message, next) => {
      if (message.type === 'accept') throw new Error('connect ECONNREFUSED')
      return next(message)
    })
    net.down.add(c)

    const deal = await negotiate(
      { signer: consumer, send: net.send, clock, randomBytes },
      { providers: [a, b, c], chainId, tool, constraints },
    )
    expect(deal.provider).toBe(b)
    expect(deal.failures.map(({ provider, stage, reason }) => [provider, stage, reason])).toEqual([
      [c, 'solicit', 'unreachable'],
      [a, 'accept', 'unreachable'],
    ])
  })

  test('a silent provider is cut off at respondBy; the others are ranked', async () => {
    const clock = simulatedClock()
    net = network(clock)
    net.provider(0, 700n)
    net.provider(1, 800n)
    net.hold.add(a)
    const deal = negotiate(
      { signer: consumer, send: net.send, clock, randomBytes },
      { providers: [a, b], chainId, tool, constraints, respondWithin: 2_000 },
    )
    await settle()
    clock.increment(2_000)
    const result = await deal
    expect(result.provider).toBe(b)
    expect(result.failures).toEqual([
      { provider: a, stage: 'solicit', reason: 'timeout', message: 'no answer before respondBy' },
    ])
    net.release(a)
  })

  test('no offers, all rejected, nothing acceptable: each fails with its reason', async () => {
    const clock = simulatedClock()
    net = network(clock)
    net.provider(0, 700n)
    net.provider(1, 800n)
    const client = { signer: consumer, send: net.send, clock, randomBytes }

    net.down.add(a).add(b)
    const none = await failure(negotiate(client, { providers: [a, b], chainId, tool, constraints }))
    expect([none.reason, none.code]).toEqual(['no_offers', 'NEGOTIATION_NO_OFFERS'])
    expect(none.failures).toHaveLength(2)
    net.down.clear()

    const cheap = { maxPricePerCall: 500n, calls: 100n }
    const rejected = await failure(
      negotiate(client, { providers: [a, b], chainId, tool, constraints: cheap }),
    )
    expect(rejected.reason).toBe('all_rejected')
    expect(rejected.failures).toMatchObject([
      { provider: a, stage: 'solicit', reason: 'declined', message: 'our price is above your cap' },
      { provider: b, stage: 'solicit', reason: 'declined' },
    ])

    const otherTool = { ...tool, toolId: 2n }
    const unknown = await failure(
      negotiate(client, { providers: [a], chainId, tool: otherTool, constraints }),
    )
    expect(unknown.reason).toBe('all_rejected')
    expect(unknown.failures).toMatchObject([
      { reason: 'declined', message: 'tool not offered here' },
    ])
  })

  test('a countersignature by someone else is refused and the next offer taken', async () => {
    const clock = simulatedClock()
    net = network(clock)
    net.provider(0, 700n)
    net.provider(1, 800n)
    // a man in the middle re-signs a's countersignature with another key
    net.overrides.set(a, async (message, next) => {
      const reply = await next(message)
      if (reply.type !== 'countersign') return reply
      const signature = await providerAccounts[3]!.signTypedData({
        domain: gotongDomain({ chainId, verifyingContract: channels }),
        types: agreementTypes,
        primaryType: 'Agreement',
        message: message.type === 'accept' ? message.agreement : ({} as never),
      })
      return { ...reply, signature }
    })
    const deal = await negotiate(
      { signer: consumer, send: net.send, clock, randomBytes },
      { providers: [a, b], chainId, tool, constraints },
    )
    expect(deal.provider).toBe(b)
    expect(deal.failures).toMatchObject([
      { provider: a, stage: 'verify', reason: 'invalid_signature' },
    ])
    await settle()
    // a was told why
    const notice = net.log.find(({ to, message }) => to === a && message.type === 'reject')
    expect(notice?.message).toMatchObject({ reason: 'invalid_signature' })
  })

  test('a pluggable countersignature check that says no leaves no agreement', async () => {
    const clock = simulatedClock()
    net = network(clock)
    net.provider(0, 700n)
    const error = await failure(
      negotiate(
        { signer: consumer, send: net.send, clock, randomBytes },
        { providers: [a], chainId, tool, constraints, verify: async () => false },
      ),
    )
    expect(error.reason).toBe('all_rejected')
    expect(error.failures).toMatchObject([{ provider: a, reason: 'invalid_signature' }])
  })

  test('a provider that changes the payee after acceptance: terms_mismatch, next offer', async () => {
    const clock = simulatedClock()
    net = network(clock)
    net.provider(0, 700n)
    net.provider(1, 800n)
    // a answers the accept with a new proposal that pays someone else
    net.overrides.set(a, async (message, next) => {
      const reply = await next(message)
      if (message.type !== 'accept') return reply
      const proposal = net.log.find(({ to, reply }) => to === a && reply?.type === 'proposal')!
        .reply as Proposal
      return { ...proposal, round: 1, payee: providerAccounts[3]!.address }
    })
    const deal = await negotiate(
      { signer: consumer, send: net.send, clock, randomBytes },
      { providers: [a, b], chainId, tool, constraints },
    )
    expect(deal.provider).toBe(b)
    expect(deal.failures).toEqual([
      {
        provider: a,
        stage: 'accept',
        reason: 'terms_mismatch',
        message: 'a new proposal after acceptance',
      },
    ])
    await settle()
    const notice = net.log.find(({ to, message }) => to === a && message.type === 'reject')
    expect(notice?.message).toMatchObject({ type: 'reject', reason: 'terms_mismatch' })
  })

  test('cancel: the negotiation stops and providers with offers are told', async () => {
    const clock = simulatedClock()
    net = network(clock)
    const first = net.provider(0, 700n)
    net.provider(1, 800n)
    net.hold.add(b)
    const controller = new AbortController()
    const deal = negotiate(
      { signer: consumer, send: net.send, clock, randomBytes },
      { providers: [a, b], chainId, tool, constraints, signal: controller.signal },
    )
    await settle()
    controller.abort()
    const error = await failure(deal)
    expect([error.reason, error.code]).toEqual(['cancelled', 'NEGOTIATION_CANCELLED'])
    await settle()
    const cfpId = net.log[0]!.message.cfpId
    expect(first.status(cfpId)).toBe('rejected')
    expect(net.log.at(-1)).toMatchObject({
      to: a,
      message: { type: 'reject', reason: 'cancelled' },
      reply: { type: 'reject', reason: 'closed' },
    })
    net.release(b)
  })

  test('the agreement lapses at validUntil: settled on its own', async () => {
    const clock = simulatedClock()
    net = network(clock)
    net.provider(0, 700n, { service: { token, maxDuration: 3_600 } })
    const settled: unknown[] = []
    const deal = await negotiate(
      { signer: consumer, send: net.send, clock, randomBytes },
      {
        providers: [a],
        chainId,
        tool,
        constraints,
        fund: async ({ agreement }) => ({ channelId: agreement.termsHash }),
        settle: async (input) => {
          settled.push(input.funding)
          return 'closed'
        },
      },
    )
    expect(deal.funding).toEqual({ channelId: deal.agreement.termsHash })
    const done = new Promise((resolve) => deal.actor.subscribe({ complete: () => resolve(null) }))
    clock.increment(3_600_000)
    await done
    expect(deal.actor.getSnapshot().output).toMatchObject({
      status: 'settled',
      settlement: 'closed',
    })
    expect(settled).toEqual([{ channelId: deal.agreement.termsHash }])
  })
})
