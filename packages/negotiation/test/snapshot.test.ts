import { type CallForProposals, CallForProposals as CfpSchema, parseWith } from '@gotong/core'
import { keccak256, toHex } from 'viem'
import { afterEach, describe, expect, test } from 'vitest'
import { createActor } from 'xstate'
import {
  consumerImplementations,
  consumerMachine,
  createResponder,
  pricingPolicy,
  resumeNegotiation,
  snapshotFromJson,
  snapshotToJson,
} from '../src/index.js'
import {
  chainId,
  channels,
  consumer,
  network,
  providerAccounts,
  settle,
  simulatedClock,
  start,
  token,
  tool,
} from './fixtures.js'

const [a, b] = providerAccounts.map((account) => account.address) as [string, string]

let net: ReturnType<typeof network>
afterEach(() => net?.stop())

function cfpNow(now: number, id: string): CallForProposals {
  return parseWith(
    CfpSchema,
    {
      type: 'cfp',
      cfpId: keccak256(toHex(id)),
      consumer: consumer.address,
      chainId,
      tool,
      constraints: { maxPricePerCall: 1_000n, calls: 100n, deadline: BigInt(now / 1000 + 3_600) },
      respondBy: BigInt(now / 1000 + 5),
    },
    'cfp',
  )
}

describe('snapshots', () => {
  test('bigints survive JSON; garbage is refused with a code', () => {
    const json = snapshotToJson({ price: 10n ** 30n, nested: [{ calls: 0n }], text: '5' })
    expect(json).toBe(
      '{"price":{"$bigint":"1000000000000000000000000000000"},"nested":[{"calls":{"$bigint":"0"}}],"text":"5"}',
    )
    expect(snapshotFromJson(json)).toEqual({
      price: 10n ** 30n,
      nested: [{ calls: 0n }],
      text: '5',
    })
    expect(() => snapshotFromJson('{')).toThrow(
      expect.objectContaining({ code: 'SNAPSHOT_INVALID' }),
    )
  })

  test('a consumer persisted mid-solicit resumes in a fresh actor and finishes', async () => {
    const clock = simulatedClock()
    net = network(clock)
    net.provider(0, 800n)
    net.provider(1, 700n)
    net.hold.add(b)
    const machine = consumerMachine.provide(
      consumerImplementations({ signer: consumer, send: net.send }),
    )
    const first = createActor(machine, {
      input: { cfp: cfpNow(start, 'resume mid-solicit'), providers: [a, b] },
      clock,
    }).start()
    await settle()
    expect(first.getSnapshot().value).toBe('soliciting')
    expect(first.getSnapshot().context.offers.map((o) => o.provider)).toEqual([a])

    // the process dies here; the snapshot went to disk as JSON
    const json = snapshotToJson(first.getPersistedSnapshot())
    first.stop()
    net.release(b)

    const deal = await resumeNegotiation(
      { signer: consumer, send: net.send, clock },
      { snapshot: json },
    )
    expect(deal.provider).toBe(b)
    expect(deal.agreement.agreement.pricePerCall).toBe(700n)
    // b's call for proposals went out again after the restart, and b answered with its standing offer
    const toB = net.log.filter(({ to, message }) => to === b && message.type === 'cfp')
    expect(toB).toHaveLength(2)
    expect(toB[1]!.reply).toEqual(toB[0]!.reply)
    await deal.settle()
  })

  test('a consumer restored late evaluates what it has at once, or finds it all lapsed', async () => {
    const clock = simulatedClock()
    net = network(clock)
    net.provider(0, 800n) // offers stand 60 s
    net.provider(1, 700n)
    net.hold.add(b)
    const machine = consumerMachine.provide(
      consumerImplementations({ signer: consumer, send: net.send }),
    )
    const persisted = async (id: string) => {
      const first = createActor(machine, {
        input: { cfp: cfpNow(clock.now(), id), providers: [a, b] },
        clock,
      }).start()
      await settle()
      const json = snapshotToJson(first.getPersistedSnapshot())
      first.stop()
      return json
    }
    const client = { signer: consumer, send: net.send, clock }

    // down for 10 s: respondBy (5 s) has passed, a's offer (60 s) still stands
    const json = await persisted('resume late')
    clock.increment(10_000)
    const resumed = resumeNegotiation(client, { snapshot: json })
    clock.increment(0) // the lapsed window fires at once
    const deal = await resumed
    expect(deal.provider).toBe(a)
    expect(deal.failures).toMatchObject([{ provider: b, stage: 'solicit', reason: 'timeout' }])
    await deal.settle()

    // down for two minutes: a's offer lapsed too
    const json2 = await persisted('resume too late')
    clock.increment(120_000)
    const lapsed = resumeNegotiation(client, { snapshot: json2 })
    clock.increment(0)
    await expect(lapsed).rejects.toMatchObject({ reason: 'no_acceptable_offer' })
    net.release(b)
  })

  test('an agreement in force survives a restart and settles after it', async () => {
    const clock = simulatedClock()
    net = network(clock)
    net.provider(0, 800n)
    const machine = consumerMachine.provide(
      consumerImplementations({ signer: consumer, send: net.send }),
    )
    const first = createActor(machine, {
      input: { cfp: cfpNow(start, 'resume active'), providers: [a] },
      clock,
    }).start()
    await settle()
    expect(first.getSnapshot().value).toBe('active')
    const json = snapshotToJson(first.getPersistedSnapshot())
    first.stop()

    const deal = await resumeNegotiation(
      { signer: consumer, send: net.send, clock },
      { snapshot: json },
    )
    expect(deal.agreement).toEqual(first.getSnapshot().context.agreement)
    expect(await deal.settle()).toMatchObject({ status: 'settled', provider: a })
  })

  test('a provider restarted mid-negotiation countersigns, or expires what lapsed meanwhile', async () => {
    const clock = simulatedClock()
    const options = {
      signer: providerAccounts[0]!,
      chainId,
      tool,
      channel: { contract: channels, minDeposit: 1n },
      service: { token },
      pricing: pricingPolicy(800n),
      offerTtl: 30,
      clock,
    }
    const before = createResponder(options)
    const cfp1 = cfpNow(start, 'provider restart 1')
    const cfp2 = cfpNow(start, 'provider restart 2')
    await before.handle(cfp1)
    await before.handle(cfp2)
    const json = before.persist()
    before.stop()

    clock.increment(10_000)
    const after = createResponder({ ...options, restore: json })
    expect([after.status(cfp1.cfpId), after.status(cfp2.cfpId)]).toEqual(['offered', 'offered'])
    net = network(clock)
    net.responders.set(a, after)
    // the consumer side: accept cfp1's standing offer through the restarted provider
    const proposal = await after.handle(cfp1)
    expect(proposal.type).toBe('proposal')
    const { agreementFor, agreementDomain, signAgreement } = await import('../src/index.js')
    const p = proposal as Extract<typeof proposal, { type: 'proposal' }>
    const agreement = agreementFor(cfp1, p)
    const signature = await signAgreement(consumer, { agreement, domain: agreementDomain(cfp1, p) })
    expect(
      await after.handle({
        type: 'accept',
        cfpId: cfp1.cfpId,
        proposalId: p.proposalId,
        agreement,
        signature,
      }),
    ).toMatchObject({ type: 'countersign' })

    // cfp2's offer lapses while the provider is down again
    const json2 = after.persist()
    after.stop()
    clock.increment(60_000)
    const again = createResponder({ ...options, restore: json2 })
    clock.increment(0)
    expect(again.status(cfp2.cfpId)).toBe('expired')
    expect(again.status(cfp1.cfpId)).toBe('serving')
    expect(
      await again.handle({ type: 'reject', cfpId: cfp2.cfpId, reason: 'cancelled' }),
    ).toMatchObject({
      reason: 'expired',
    })
    again.stop()
  })
})
