import type { CallForProposals, Proposal } from '@gotong/core'

/**
 * Checks the hard constraints of a call for proposals: price at most the cap, the token and
 * tool asked for, an offer that has not expired at `now` (unix ms). Returns the first one the
 * proposal misses, or undefined when it is eligible.
 *
 * @example const why = constraintViolation(proposal, cfp, Date.now()) // undefined: eligible
 */
export function constraintViolation(
  proposal: Proposal,
  cfp: CallForProposals,
  now: number,
): string | undefined {
  const { constraints, tool } = cfp
  if (proposal.cfpId !== cfp.cfpId) return 'answers another call for proposals'
  if (proposal.terms.pricePerCall > constraints.maxPricePerCall) return 'price above the cap'
  if (constraints.token && proposal.terms.token !== constraints.token) return 'another token'
  if (tool && (proposal.tool.registry !== tool.registry || proposal.tool.toolId !== tool.toolId))
    return 'another tool'
  if (tool?.manifestHash && proposal.tool.manifestHash !== tool.manifestHash)
    return 'another version of the tool'
  if (Number(proposal.expiresAt) * 1000 <= now) return 'offer expired'
  if (proposal.terms.maxCalls === 0n) return 'no calls offered'
  return undefined
}
