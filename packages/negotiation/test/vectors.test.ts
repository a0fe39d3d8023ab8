// The agreement vectors (vectors/agreement.json at the repository root, described in
// PROTOCOL.md) against the negotiation code: ids, nonce, terms hash, signatures, and a provider
// answering the vector's messages with the vector's bytes.
import { readFileSync } from 'node:fs'
import {
  Agreement,
  bigintReplacer,
  CallForProposals,
  gotongDomain,
  Proposal,
  parseWith,
} from '@gotong/core'
import { privateKeyToAccount } from 'viem/accounts'
import { afterEach, describe, expect, test } from 'vitest'
import { SimulatedClock } from 'xstate'
import {
  agreementDomain,
  agreementFor,
  createResponder,
  pricingPolicy,
  proposalIdFor,
  type Responder,
  signAgreement,
  termsHashFor,
  verifyAgreement,
} from '../src/index.js'

// biome-ignore lint/suspicious/noExplicitAny: vectors are plain JSON, checked field by field
const v: any = JSON.parse(
  readFileSync(new URL('../../../vectors/agreement.json', import.meta.url), 'utf8'),
)
const consumer = privateKeyToAccount(v.accounts.consumer.privateKey)
const provider = privateKeyToAccount(v.accounts.provider.privateKey)
const cfp = parseWith(CallForProposals, v.messages.cfp, 'cfp')
const proposal = parseWith(Proposal, v.messages.proposal, 'proposal')
const agreement = parseWith(Agreement, v.agreement, 'agreement')
const wire = (value: unknown) => JSON.parse(JSON.stringify(value, bigintReplacer))

let responder: Responder | undefined
afterEach(() => responder?.stop())

describe('protocol vectors: agreement', () => {
  test('proposal id, nonce, agreement, domain and terms hash', () => {
    const { cfpId, payee, round } = v.derivation
    expect(proposalIdFor(cfpId, payee, round)).toBe(v.derivation.proposalId)
    expect(agreementFor(cfp, proposal)).toEqual(agreement)
    expect(agreement.nonce).toBe(v.derivation.nonce)
    expect(agreementDomain(cfp, proposal)).toEqual(gotongDomain(v.domain))
    expect(termsHashFor(cfp, proposal)).toBe(v.termsHash)
  })

  test('both signatures, made and checked', async () => {
    const domain = agreementDomain(cfp, proposal)
    expect(await signAgreement(consumer, { agreement, domain })).toBe(v.consumerSignature)
    expect(await signAgreement(provider, { agreement, domain })).toBe(v.providerSignature)
    for (const [signer, signature] of [
      [consumer.address, v.consumerSignature],
      [provider.address, v.providerSignature],
    ])
      expect(await verifyAgreement({ agreement, domain, signature, signer })).toBe(true)
  })

  test('a provider answers the cfp and the accept with the vector’s messages', async () => {
    const clock = new SimulatedClock()
    // The moment the vector's offer was made: it stands 60 s, until its expiresAt.
    clock.set((Number(proposal.expiresAt) - 60) * 1000)
    responder = createResponder({
      signer: provider,
      chainId: cfp.chainId,
      tool: proposal.tool,
      channel: proposal.channel,
      service: {
        token: proposal.terms.token,
        p95LatencyMs: proposal.terms.p95LatencyMs,
        callsPerMinute: proposal.terms.callsPerMinute,
      },
      pricing: pricingPolicy(proposal.terms.pricePerCall),
      clock,
    })
    const answer = async (message: unknown) =>
      wire(await responder!.handle(message, { from: consumer.address }))
    expect(await answer(v.messages.cfp)).toEqual(v.messages.proposal)
    expect(await answer(v.messages.accept)).toEqual(v.messages.countersign)
  })
})
