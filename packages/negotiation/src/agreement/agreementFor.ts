import {
  type Agreement,
  type CallForProposals,
  gotongDomain,
  hashAgreement,
  type Proposal,
} from '@gotong/core'
import { concat, encodePacked, type Hex, keccak256 } from 'viem'

/**
 * The EIP-712 domain an agreement on `proposal` is signed under: its chain and channels contract.
 *
 * @example await signAgreement(account, { agreement, domain: agreementDomain(cfp, proposal) })
 */
export function agreementDomain(cfp: CallForProposals, proposal: Proposal) {
  return gotongDomain({ chainId: cfp.chainId, verifyingContract: proposal.channel.contract })
}

/**
 * The Agreement both sides sign when `proposal` is accepted. Each side computes it alone from
 * the messages, so an accept whose agreement differs in any field is a terms mismatch. The
 * nonce is derived from the cfp and proposal ids, so no agreement repeats.
 *
 * @example const agreement = agreementFor(cfp, proposal)
 */
export function agreementFor(cfp: CallForProposals, proposal: Proposal): Agreement {
  return {
    consumer: cfp.consumer,
    provider: proposal.payee,
    registry: proposal.tool.registry,
    toolId: proposal.tool.toolId,
    manifestHash: proposal.tool.manifestHash,
    token: proposal.terms.token,
    pricePerCall: proposal.terms.pricePerCall,
    maxCalls: proposal.terms.maxCalls,
    validUntil: proposal.terms.validUntil,
    p95LatencyMs: proposal.terms.p95LatencyMs,
    callsPerMinute: proposal.terms.callsPerMinute,
    nonce: keccak256(concat([cfp.cfpId, proposal.proposalId])),
  }
}

/**
 * The termsHash of the agreement on `proposal`: what every voucher and receipt will carry.
 *
 * @example const termsHash = termsHashFor(cfp, proposal) // = deal.agreement.termsHash
 */
export function termsHashFor(cfp: CallForProposals, proposal: Proposal): Hex {
  return hashAgreement(agreementFor(cfp, proposal), agreementDomain(cfp, proposal))
}

/**
 * A proposal's id: fixed by the cfp, the payee and the round, so a re-sent quote keeps it.
 *
 * @example proposalIdFor(cfp.cfpId, account.address, 0)
 */
export function proposalIdFor(cfpId: Hex, payee: Hex, round: number): Hex {
  return keccak256(encodePacked(['bytes32', 'address', 'uint8'], [cfpId, payee, round]))
}

/**
 * True when two agreements are identical in every signed field.
 *
 * @example if (!sameAgreement(accept.agreement, agreementFor(cfp, proposal))) refuse()
 */
export function sameAgreement(a: Agreement, b: Agreement): boolean {
  return (
    a.consumer === b.consumer &&
    a.provider === b.provider &&
    a.registry === b.registry &&
    a.toolId === b.toolId &&
    a.manifestHash === b.manifestHash &&
    a.token === b.token &&
    a.pricePerCall === b.pricePerCall &&
    a.maxCalls === b.maxCalls &&
    a.validUntil === b.validUntil &&
    a.p95LatencyMs === b.p95LatencyMs &&
    a.callsPerMinute === b.callsPerMinute &&
    a.nonce === b.nonce
  )
}
