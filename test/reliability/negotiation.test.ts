import type { Agent } from '@gotong/agent'
import { type CallForProposals, Proposal } from '@gotong/core'
import { agreementDomain, agreementFor, signAgreement } from '@gotong/negotiation'
import { type Address, type Hex, keccak256, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import {
  codeOf,
  countingTool,
  payment,
  rawClient,
  relationshipOf,
  type Setup,
  setup,
  signVoucher,
  wire,
} from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup()
})
afterAll(async () => {
  await t?.stop()
})

const price = 1_000n
const realNow = Date.now.bind(Date)
/**
 * How far both sides' clocks (the serving agent's `now`, which its negotiation responder and
 * transport share, and the attacker's client) are moved forward when a step lets time pass.
 */
let ahead = 0
const clock = () => realNow() + ahead
// Each test has its own serving agents, on real time to begin with.
beforeEach(() => {
  ahead = 0
})

/** A consumer (account `index`) negotiating by hand with a serving agent, message by message. */
function negotiator(
  index: number,
  provider: Agent,
  served: { toolId: bigint; manifestHash: Hex },
  name: string,
) {
  const account = privateKeyToAccount(t.key(index))
  const raw = rawClient(t.key(index), t.devnet.chainId, provider, { now: clock })
  const send = async (message: unknown) =>
    (await raw.request(`tools/${name}/negotiate`, wire(message))) as {
      type: string
      reason?: string
    }
  let n = 0
  return {
    account,
    raw,
    send,
    /** A call for proposals; resolves with it and the provider's proposal. */
    async cfp() {
      const now = BigInt(Math.floor(clock() / 1000))
      const cfp: CallForProposals = {
        type: 'cfp',
        cfpId: keccak256(toHex(`${index}-${name}-${n++}-${clock()}`)),
        consumer: account.address,
        chainId: t.devnet.chainId,
        tool: {
          registry: t.contracts.toolDirectory,
          toolId: served.toolId,
          manifestHash: served.manifestHash,
        },
        constraints: { maxPricePerCall: price, calls: 10n, deadline: now + 86_400n },
        respondBy: now + 30n,
      }
      const answer = await send(cfp)
      expect(answer.type).toBe('proposal')
      return { cfp, proposal: Proposal.parse(answer) }
    },
    /** The accept of a proposal, optionally with a field of the agreement changed. */
    async accept(cfp: CallForProposals, proposal: Proposal, patch: { provider?: Address } = {}) {
      const agreement = { ...agreementFor(cfp, proposal), ...patch }
      return {
        type: 'accept' as const,
        cfpId: cfp.cfpId,
        proposalId: proposal.proposalId,
        agreement,
        signature: await signAgreement(account, {
          agreement,
          domain: agreementDomain(cfp, proposal),
        }),
      }
    },
  }
}

describe('negotiation abuse against a serving agent, over HTTP', () => {
  test('an expired offer, a replayed accept, messages after the end, a payee changed after acceptance: each refused with its reason', async () => {
    const provider = await t.agent(1, { now: clock })
    const counted = countingTool('negotiable')
    const served = await provider.serve(counted.tool, { price })
    const c = negotiator(2, provider, served, 'negotiable')

    // 1. An offer accepted after it lapsed (the offer's own timer has not even fired yet).
    const late = await c.cfp()
    const lateAccept = await c.accept(late.cfp, late.proposal)
    const lapse = Number(late.proposal.expiresAt) * 1000 - clock() + 1_000
    // Both sides a lapse later (and from then on: a server's time never steps back): the
    // consumer's envelope is fresh, the offer is not.
    ahead += lapse
    const expired = await c.send(lateAccept)
    expect(expired).toMatchObject({ type: 'reject', reason: 'expired' })

    // 2. An agreement made properly, then its accept replayed, and a different accept after it.
    const { cfp, proposal } = await c.cfp()
    const accept = await c.accept(cfp, proposal)
    expect(await c.send(accept)).toMatchObject({ type: 'countersign' })
    expect(await c.send(accept)).toMatchObject({ type: 'reject', reason: 'replayed' })
    const otherPayee = await c.accept(cfp, proposal, { provider: t.address(3) })
    expect(await c.send(otherPayee)).toMatchObject({ type: 'reject', reason: 'terms_mismatch' })
    const counter = {
      type: 'counter',
      cfpId: cfp.cfpId,
      proposalId: proposal.proposalId,
      terms: { ...proposal.terms, pricePerCall: 1n },
    }
    expect(await c.send(counter)).toMatchObject({ type: 'reject', reason: 'terms_mismatch' })
    expect(await c.send(cfp)).toMatchObject({ type: 'reject', reason: 'replayed' })

    // 3. A negotiation the consumer walked away from: anything after is refused as closed.
    const walked = await c.cfp()
    expect(
      await c.send({ type: 'reject', cfpId: walked.cfp.cfpId, reason: 'declined' }),
    ).toMatchObject({ type: 'reject' })
    expect(await c.send(await c.accept(walked.cfp, walked.proposal))).toMatchObject({
      type: 'reject',
      reason: 'closed',
    })

    // 4. A payee changed before acceptance is a terms mismatch too; nobody else may speak for
    // the consumer.
    const fresh = await c.cfp()
    expect(
      await c.send(await c.accept(fresh.cfp, fresh.proposal, { provider: t.address(3) })),
    ).toMatchObject({ type: 'reject', reason: 'terms_mismatch' })
    const intruder = negotiator(4, provider, served, 'negotiable')
    expect(await intruder.send(await c.accept(fresh.cfp, fresh.proposal))).toMatchObject({
      type: 'reject',
      reason: 'invalid_signature',
    })
    expect(counted.runs()).toBe(0)
  })

  test('vouchers cannot pay under terms that were never agreed, nor under another agreement’s terms', async () => {
    const provider = await t.agent(1)
    const counted = countingTool('terms-bound')
    const served = await provider.serve(counted.tool, { price })
    const consumer = await t.agent(5)
    await consumer.call(served.toolId, { text: 'honest' })
    const { channelId } = relationshipOf(consumer)
    const c = negotiator(5, provider, served, 'terms-bound')
    // A second agreement for the same tool, countersigned but never funded.
    const second = await c.cfp()
    const secondAccept = await c.accept(second.cfp, second.proposal)
    const countersigned = (await c.send(secondAccept)) as { type: string; termsHash: Hex }
    expect(countersigned.type).toBe('countersign')
    const domain = { chainId: t.devnet.chainId, channels: t.contracts.paymentChannels }
    const call = async (requestTerms: Hex, voucherTerms: Hex) => {
      const voucher = {
        channelId,
        termsHash: voucherTerms,
        calls: 2n,
        cumulativeAmount: 2n * price,
      }
      return codeOf(
        c.raw.request(
          'tools/terms-bound/call',
          { termsHash: requestTerms, input: { text: 'other terms' } },
          {
            pay: async (envelopeHash) => {
              const fields = { ...voucher, envelopeHash }
              return payment(domain, fields, await signVoucher(t.key(5), domain, fields))
            },
          },
        ),
      )
    }
    const unagreed = keccak256(toHex('terms nobody signed'))
    expect({
      unagreedTerms: await call(unagreed, unagreed),
      voucherForSecondTermsOnFirstChannel: await call(
        countersigned.termsHash,
        countersigned.termsHash,
      ),
    }).toEqual({
      unagreedTerms: 'AGREEMENT_UNKNOWN',
      voucherForSecondTermsOnFirstChannel: 'VOUCHER_TERMS_MISMATCH',
    })
    expect(counted.runs()).toBe(1)
  })

  // The payee store is shared by every tool an agent serves: a voucher must pay under the
  // call's own terms, or a cheap tool's channel would pay for an expensive tool.
  test('a voucher on a cheap tool’s channel cannot pay for a call of an expensive tool of the same agent', async () => {
    const provider = await t.agent(1)
    const cheap = countingTool('cheap')
    const dear = countingTool('dear')
    const servedCheap = await provider.serve(cheap.tool, { price })
    const servedDear = await provider.serve(dear.tool, { price: 100n * price })
    const consumer = await t.agent(2)
    await consumer.call(servedCheap.toolId, { text: 'cheap' })
    const cheapChannel = relationshipOf(consumer)
    await consumer.call(servedDear.toolId, { text: 'dear' })
    const dearTerms = relationshipOf(consumer, { not: [cheapChannel.channelId] }).termsHash
    const raw = rawClient(t.key(2), t.devnet.chainId, provider)
    const domain = { chainId: t.devnet.chainId, channels: t.contracts.paymentChannels }
    const voucher = {
      channelId: cheapChannel.channelId,
      termsHash: cheapChannel.termsHash,
      calls: 2n,
      cumulativeAmount: 2n * price,
    }
    const outcome = await codeOf(
      raw.request(
        'tools/dear/call',
        { termsHash: dearTerms, input: { text: 'the expensive one, for the cheap price' } },
        {
          pay: async (envelopeHash) => {
            const fields = { ...voucher, envelopeHash }
            return payment(domain, fields, await signVoucher(t.key(2), domain, fields))
          },
        },
      ),
    )
    expect(outcome).toMatch(/^VOUCHER_(TERMS_MISMATCH|WRONG_CHANNEL)$/)
    expect(dear.runs()).toBe(1)
    expect(cheap.runs()).toBe(1)
  })
})
