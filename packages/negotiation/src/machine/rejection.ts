import type { CallForProposals, Proposal, Reject, RejectReason } from '@gotong/core'

/** A `Reject` in a negotiation, naming the proposal in play when there is one. */
export function rejection(
  context: { cfp: CallForProposals; proposal: Proposal | undefined },
  reason: RejectReason,
  message?: string,
): Reject {
  return {
    type: 'reject',
    cfpId: context.cfp.cfpId,
    ...(context.proposal ? { proposalId: context.proposal.proposalId } : {}),
    reason,
    ...(message !== undefined ? { message } : {}),
  }
}
