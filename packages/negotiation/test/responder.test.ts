import {
  type Accept,
  type CallForProposals,
  CallForProposals as CfpSchema,
  type CounterProposal,
  type Proposal,
  type ProviderMessage,
  parseWith,
} from '@gotong/core'
import { type Hex, keccak256, toHex } from 'viem'
import { afterEach, describe, expect, test } from 'vitest'
import {
  agreementDomain,
  agreementFor,
  type Clock,
  concede,
  createResponder,
  pricingPolicy,
  type Responder,
  signAgreement,
} from '../src/index.js'
import {
  chainId,
  channels,
  consumer,
  providerAccounts,
  simulatedClock,
  start,
  token,
  tool,
} from './fixtures.js'

const provider = providerAccounts[0]!
let responders: Responder[] = []
afterEach(() => {
  for (const responder of responders) responder.stop()
  responders = []
})

let cfps = 0
function cfpAt(now: number, overrides: Partial<CallForProposals> = {}): CallForProposals {
  cfps += 1
  return parseWith(
    CfpSchema,
    {
      type: 'cfp',
      cfpId: keccak256(toHex(`cfp ${cfps}`)),
      consumer: consumer.address,
      chainId,
      tool,
      constraints: { maxPricePerCall: 1_000n, calls: 100n, deadline: BigInt(now / 1000 + 86_400) },
      respondBy: BigInt(now / 1000 + 5),
      ...overrides,
    },
    'cfp',
  )
}

function responderWith(
  clock: Clock,
  options: Partial<Parameters<typeof createResponder>[0]> = {},
): Responder {
  const responder = createResponder({
    signer: provider,
    chainId,
    tool,
    channel: { contract: channels, minDeposit: 1_000_000n },
    service: { token, p95LatencyMs: 300, callsPerMinute: 600 },
    pricing: pricingPolicy(800n),
    offerTtl: 30,
    clock,
    ...options,
  })
  responders.push(responder)
  return responder
}

async function acceptOf(
  cfp: CallForProposals,
  proposal: Proposal,
  signer = consumer,
): Promise<Accept> {
  const agreement = agreementFor(cfp, proposal)
  return {
    type: 'accept',
    cfpId: cfp.cfpId,
    proposalId: proposal.proposalId,
    agreement,
    signature: await signAgreement(signer, { agreement, domain: agreementDomain(cfp, proposal) }),
  }
}

function expectProposal(reply: ProviderMessage): Proposal {
  expect(reply.type).toBe('proposal')
  return reply as Proposal
}

describe('provider responder', () => {
  test('quotes, countersigns, and refuses a replayed accept with `replayed`', async () => {
    const clock = simulatedClock()
    const agreements: unknown[] = []
    const responder = responderWith(clock, { onAgreement: (a) => agreements.push(a) })
    const cfp = cfpAt(start)
    const proposal = expectProposal(await responder.handle(cfp))
    expect(proposal).toMatchObject({
      round: 0,
      payee: provider.address,
      terms: { token, pricePerCall: 800n, maxCalls: 100n, validUntil: cfp.constraints.deadline },
      channel: { contract: channels, minDeposit: 1_000_000n },
      expiresAt: BigInt(start / 1000 + 30),
    })
    // the same cfp again (a retry) gets the same standing offer
    expect(await responder.handle(cfp)).toEqual(proposal)

    const accept = await acceptOf(cfp, proposal)
    const countersign = await responder.handle(accept)
    expect(countersign).toMatchObject({ type: 'countersign', proposalId: proposal.proposalId })
    expect(agreements).toHaveLength(1)
    expect(responder.status(cfp.cfpId)).toBe('serving')

    expect(await responder.handle(accept)).toMatchObject({ type: 'reject', reason: 'replayed' })
    expect(responder.agreements()).toHaveLength(1)
  })

  test('accepting an expired offer: `expired`, whether or not the expiry timer has fired', async () => {
    // timer fired: the machine already ended as expired
    const clock = simulatedClock()
    const responder = responderWith(clock)
    const cfp = cfpAt(start)
    const proposal = expectProposal(await responder.handle(cfp))
    clock.increment(30_000)
    expect(responder.status(cfp.cfpId)).toBe('expired')
    expect(await responder.handle(await acceptOf(cfp, proposal))).toMatchObject({
      type: 'reject',
      reason: 'expired',
    })

    // timer not fired yet (a clock whose timers lag): the accept's arrival time decides
    let now = start
    const lagging = { now: () => now, setTimeout: () => 0, clearTimeout: () => {} }
    const slow = responderWith(lagging)
    const cfp2 = cfpAt(start)
    const proposal2 = expectProposal(await slow.handle(cfp2))
    now += 30_000
    expect(slow.status(cfp2.cfpId)).toBe('offered')
    expect(await slow.handle(await acceptOf(cfp2, proposal2))).toMatchObject({
      type: 'reject',
      reason: 'expired',
      message: 'the offer has expired',
    })
    expect(slow.status(cfp2.cfpId)).toBe('expired')
  })

  test('an accept that changes the payee, or any term, is refused with `terms_mismatch`', async () => {
    const clock = simulatedClock()
    const responder = responderWith(clock)
    const cfp = cfpAt(start)
    const proposal = expectProposal(await responder.handle(cfp))
    const good = await acceptOf(cfp, proposal)

    const otherPayee = { ...proposal, payee: providerAccounts[1]!.address }
    const changed = await acceptOf(cfp, otherPayee)
    expect(await responder.handle({ ...changed, proposalId: proposal.proposalId })).toMatchObject({
      reason: 'terms_mismatch',
    })
    const cheaper = await acceptOf(cfp, {
      ...proposal,
      terms: { ...proposal.terms, pricePerCall: 1n },
    })
    expect(await responder.handle(cheaper)).toMatchObject({ reason: 'terms_mismatch' })
    // the offer still stands
    expect(await responder.handle(good)).toMatchObject({ type: 'countersign' })
  })

  test('after acceptance a counter or a different accept is `terms_mismatch`', async () => {
    const clock = simulatedClock()
    const responder = responderWith(clock)
    const cfp = cfpAt(start)
    const proposal = expectProposal(await responder.handle(cfp))
    await responder.handle(await acceptOf(cfp, proposal))

    const counter: CounterProposal = {
      type: 'counter',
      cfpId: cfp.cfpId,
      proposalId: proposal.proposalId,
      terms: { ...proposal.terms, pricePerCall: 500n },
    }
    expect(await responder.handle(counter)).toMatchObject({
      reason: 'terms_mismatch',
      message: 'the terms were agreed and cannot change',
    })
    const newPayee = await acceptOf(cfp, { ...proposal, payee: providerAccounts[2]!.address })
    expect(await responder.handle(newPayee)).toMatchObject({ reason: 'terms_mismatch' })
    expect(responder.status(cfp.cfpId)).toBe('serving')
  })

  test('an accept of a superseded offer is `replayed`; a counter beyond the limit `declined`', async () => {
    const clock = simulatedClock()
    const responder = responderWith(clock, { counter: concede({ maxBps: 2_000 }), maxRounds: 1 })
    const cfp = cfpAt(start)
    const first = expectProposal(await responder.handle(cfp))
    const counter: CounterProposal = {
      type: 'counter',
      cfpId: cfp.cfpId,
      proposalId: first.proposalId,
      terms: { ...first.terms, pricePerCall: 700n },
    }
    const second = expectProposal(await responder.handle(counter))
    expect(second).toMatchObject({ round: 1, terms: { pricePerCall: 700n } })
    expect(second.proposalId).not.toBe(first.proposalId)

    expect(await responder.handle(await acceptOf(cfp, first))).toMatchObject({
      reason: 'replayed',
      message: 'that offer was superseded',
    })
    expect(
      await responder.handle({ ...counter, proposalId: second.proposalId, terms: second.terms }),
    ).toMatchObject({ reason: 'declined', message: 'no more than 1 counters' })
    expect(await responder.handle(await acceptOf(cfp, second))).toMatchObject({
      type: 'countersign',
    })
  })

  test('messages after a terminal state are refused with `closed`', async () => {
    const clock = simulatedClock()
    const responder = responderWith(clock)
    const cfp = cfpAt(start)
    const proposal = expectProposal(await responder.handle(cfp))
    const reject = { type: 'reject', cfpId: cfp.cfpId, reason: 'cancelled' } as const
    expect(await responder.handle(reject)).toMatchObject({ reason: 'closed' })
    expect(responder.status(cfp.cfpId)).toBe('rejected')
    for (const late of [cfp, await acceptOf(cfp, proposal), reject])
      expect(await responder.handle(late)).toMatchObject({
        type: 'reject',
        reason: 'closed',
        message: 'negotiation rejected',
      })

    // a call it declines ends at once; anything after is closed too
    const dear = cfpAt(start, {
      constraints: { maxPricePerCall: 10n, calls: 1n, deadline: BigInt(start / 1000 + 60) },
    })
    expect(await responder.handle(dear)).toMatchObject({ reason: 'declined' })
    expect(await responder.handle(dear)).toMatchObject({ reason: 'closed' })
  })

  test('refuses malformed input, a forged signature, a sender who is not the consumer', async () => {
    const clock = simulatedClock()
    const responder = responderWith(clock)
    const cfp = cfpAt(start)
    expect(await responder.handle({ type: 'cfp', cfpId: cfp.cfpId })).toMatchObject({
      type: 'reject',
      cfpId: cfp.cfpId,
      reason: 'invalid_input',
    })
    expect(await responder.handle(cfp, { from: providerAccounts[3]!.address })).toMatchObject({
      reason: 'invalid_signature',
      message: 'the sender is not the consumer',
    })
    const proposal = expectProposal(await responder.handle(cfp))
    // someone else re-sending a running negotiation's cfp under their own name
    const intruder = providerAccounts[3]!.address
    expect(
      await responder.handle({ ...cfp, consumer: intruder }, { from: intruder }),
    ).toMatchObject({ reason: 'invalid_signature' })
    const forged = await acceptOf(cfp, proposal, providerAccounts[3]!)
    expect(await responder.handle(forged)).toMatchObject({ reason: 'invalid_signature' })
    expect(
      await responder.handle({ ...forged, signature: `0x${'00'.repeat(65)}` as Hex }),
    ).toMatchObject({ reason: 'invalid_signature' })
    expect(await responder.handle({ ...forged, cfpId: keccak256(toHex('unknown')) })).toMatchObject(
      { reason: 'not_found' },
    )
    expect(await responder.handle(cfpAt(start - 60_000))).toMatchObject({ reason: 'expired' })
    expect(await responder.handle(cfpAt(start, { chainId: 1 }))).toMatchObject({
      reason: 'declined',
    })
  })

  test('signature checks are pluggable (e.g. a native secp256k1 recovery)', async () => {
    const clock = simulatedClock()
    const checked: string[] = []
    const responder = responderWith(clock, {
      verify: async ({ signer }) => {
        checked.push(signer)
        return false
      },
    })
    const cfp = cfpAt(start)
    const proposal = expectProposal(await responder.handle(cfp))
    expect(await responder.handle(await acceptOf(cfp, proposal))).toMatchObject({
      reason: 'invalid_signature',
    })
    expect(checked).toEqual([consumer.address])
  })

  test('capabilities: a call by tag is answered with the tool that has it', async () => {
    const clock = simulatedClock()
    const responder = responderWith(clock, { capabilities: ['weather'] })
    const byTag = cfpAt(start, { tool: undefined, capability: 'weather' } as never)
    const { tool: _, ...rest } = byTag
    const proposal = expectProposal(await responder.handle({ ...rest, capability: 'weather' }))
    expect(proposal.tool).toEqual(tool)
    const other = await responder.handle({
      ...rest,
      cfpId: keccak256(toHex('x')),
      capability: 'maps',
    })
    expect(other).toMatchObject({ reason: 'declined', message: 'tool not offered here' })
  })
})
