import { type Proposal, ProviderMessage, type Reject } from '@gotong/core'
import type { Hex } from 'viem'
import type { ConsumerContext } from './consumerTypes.js'

/** A provider's answer as the consumer takes it at this point of the negotiation. */
export type Reply =
  | { kind: 'proposal'; proposal: Proposal }
  | { kind: 'countersign'; signature: Hex }
  | { kind: 'reject'; reject: Reject }
  | { kind: 'mismatch'; message: string }
  | { kind: 'invalid'; message: string }

/** Sorts out a provider's answer against what the consumer expects at this point. */
export function classify(context: ConsumerContext, raw: unknown): Reply {
  const parsed = ProviderMessage.safeParse(raw)
  if (!parsed.success) return { kind: 'invalid', message: 'not a provider message' }
  const message = parsed.data
  if (message.cfpId !== context.cfp.cfpId)
    return { kind: 'invalid', message: 'answers another call for proposals' }
  if (message.type === 'reject') return { kind: 'reject', reject: message }
  const previous = context.proposal
  if (message.type === 'proposal') {
    if (context.pending) return { kind: 'mismatch', message: 'a new proposal after acceptance' }
    if (
      previous &&
      (message.payee !== previous.payee ||
        message.tool.registry !== previous.tool.registry ||
        message.tool.toolId !== previous.tool.toolId ||
        message.tool.manifestHash !== previous.tool.manifestHash ||
        message.channel.contract !== previous.channel.contract)
    )
      return { kind: 'mismatch', message: 'payee, tool or channel changed between rounds' }
    if (previous && message.round !== previous.round + 1)
      return { kind: 'invalid', message: `expected round ${previous.round + 1}` }
    return { kind: 'proposal', proposal: message }
  }
  if (message.type === 'countersign') {
    if (!context.pending || message.proposalId !== previous?.proposalId)
      return { kind: 'invalid', message: 'a countersignature nothing was accepted for' }
    if (message.termsHash !== context.pending.termsHash)
      return { kind: 'mismatch', message: 'countersigned other terms than those accepted' }
    return { kind: 'countersign', signature: message.signature }
  }
  return { kind: 'invalid', message: `unexpected ${(message as { type: string }).type}` }
}
