import type { RejectReason } from '@gotong/core'
import { agreementFor, sameAgreement } from '../../agreement/agreementFor.js'
import type { ProviderContext, ProviderMessageEvent } from './providerTypes.js'

/**
 * Why a counter or accept in the `offered` state is refused, checked in order: it is for
 * another negotiation, for an offer no longer standing (`replayed`), for one never made
 * (`not_found`), or an accept whose agreement is not exactly the one the offer implies
 * (`terms_mismatch`).
 */
export function refusalOf(
  context: ProviderContext,
  event: ProviderMessageEvent,
): { reason: RejectReason | 'ok'; message: string } {
  const message = event.message
  if (message.type !== 'counter' && message.type !== 'accept') return { reason: 'ok', message: '' }
  if (message.cfpId !== context.cfp.cfpId)
    return { reason: 'not_found', message: 'another call for proposals' }
  const current = context.proposal!
  if (message.proposalId !== current.proposalId)
    return context.issued.includes(message.proposalId)
      ? { reason: 'replayed', message: 'that offer was superseded' }
      : { reason: 'not_found', message: 'no such proposal' }
  if (
    message.type === 'accept' &&
    !sameAgreement(message.agreement, agreementFor(context.cfp, current))
  )
    return { reason: 'terms_mismatch', message: 'the agreement differs from the offer' }
  return { reason: 'ok', message: '' }
}
