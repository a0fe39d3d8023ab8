// Negotiation as PROTOCOL.md §7 describes it: cfp → proposal → accept (the Agreement, signed)
// → countersign, each message checked before the next is sent.
import assert from 'node:assert/strict'
import { type Address, type Hex, hashTypedData, recoverTypedDataAddress } from 'viem'
import type { Listing } from './discover.js'
import {
  type AgreementWire,
  agreementMessage,
  agreementNonceOf,
  gotongDomain,
  proposalIdOf,
  typesOf,
} from './protocol.js'
import { type Peer, post, randomHex } from './transport.js'

export type Proposal = {
  type: 'proposal'
  cfpId: Hex
  proposalId: Hex
  round: number
  payee: Address
  tool: { registry: Address; toolId: string; manifestHash: Hex }
  terms: Omit<
    AgreementWire,
    'consumer' | 'provider' | 'registry' | 'toolId' | 'manifestHash' | 'nonce'
  >
  channel: { contract: Address; minDeposit: string }
  expiresAt: string
}

export type Deal = { proposal: Proposal; agreement: AgreementWire; termsHash: Hex }

/**
 * Agrees terms for `calls` calls of a listed tool at no more than its listed price, on the
 * listing's exact version, paying through `channels` in `token`.
 */
export async function negotiate(
  peer: Peer,
  route: string,
  parameters: {
    registry: Address
    listing: Listing
    channels: Address
    token: Address
    calls: bigint
  },
): Promise<Deal> {
  const { listing } = parameters
  const cap = listing.manifest.pricing[0]!.amount
  const now = Math.floor(Date.now() / 1000)
  const cfp = {
    type: 'cfp',
    cfpId: randomHex(32),
    consumer: peer.account.address,
    chainId: peer.chainId,
    tool: {
      registry: parameters.registry,
      toolId: listing.toolId.toString(),
      manifestHash: listing.manifestHash,
    },
    constraints: {
      maxPricePerCall: cap,
      calls: parameters.calls.toString(),
      deadline: String(now + 3_600),
    },
    respondBy: String(now + 30),
  }
  const proposal = await post<Proposal>(peer, route, cfp)
  assert.equal(proposal.type, 'proposal', JSON.stringify(proposal))
  assert.equal(proposal.cfpId, cfp.cfpId)
  assert.equal(proposal.proposalId, proposalIdOf(cfp.cfpId, proposal.payee, proposal.round))
  assert.equal(proposal.payee, listing.creator, 'the payee is the tool’s creator')
  assert.deepEqual(proposal.tool, cfp.tool, 'the version asked for')
  assert.equal(proposal.channel.contract, parameters.channels)
  assert.equal(proposal.terms.token, parameters.token)
  assert.ok(BigInt(proposal.terms.pricePerCall) <= BigInt(cap), 'no more than the cap')
  assert.ok(Number(proposal.expiresAt) > now, 'an offer still standing')

  const agreement: AgreementWire = {
    consumer: peer.account.address,
    provider: proposal.payee,
    ...proposal.tool,
    ...proposal.terms,
    nonce: agreementNonceOf(cfp.cfpId, proposal.proposalId),
  }
  const typed = {
    domain: gotongDomain(cfp.chainId, proposal.channel.contract),
    types: typesOf('Agreement'),
    primaryType: 'Agreement',
    message: agreementMessage(agreement),
  } as const
  const termsHash = hashTypedData(typed)
  const countersign = await post<{ type: string; termsHash: Hex; signature: Hex }>(peer, route, {
    type: 'accept',
    cfpId: cfp.cfpId,
    proposalId: proposal.proposalId,
    agreement,
    signature: await peer.account.signTypedData(typed),
  })
  assert.equal(countersign.type, 'countersign', JSON.stringify(countersign))
  assert.equal(countersign.termsHash, termsHash, 'the provider signed the same terms')
  const signer = await recoverTypedDataAddress({ ...typed, signature: countersign.signature })
  assert.equal(signer, proposal.payee, 'countersigned by the payee')
  return { proposal, agreement, termsHash }
}
