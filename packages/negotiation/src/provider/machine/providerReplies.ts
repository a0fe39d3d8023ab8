import type { Countersignature, ProviderMessage } from '@gotong/core'
import { rejection } from '../../machine/rejection.js'
import type { QuoteResult } from './providerActors.js'
import type { ProviderContext, ProviderMessageEvent } from './providerTypes.js'
import { refusalOf } from './refusalOf.js'

type ReplyArgs = { context: ProviderContext; event: unknown }

/** The `reply` action answering the message in the current event. */
export const replyNow = (
  build: (context: ProviderContext, event: ProviderMessageEvent) => ProviderMessage,
) => ({
  type: 'reply' as const,
  params: ({ context, event }: ReplyArgs) => ({
    id: (event as ProviderMessageEvent).id,
    message: build(context, event as ProviderMessageEvent),
  }),
})

/** The `reply` action answering the message that started this step (quote, verify, sign). */
export const replyLater = (
  build: (context: ProviderContext, event: unknown) => ProviderMessage,
) => ({
  type: 'reply' as const,
  params: ({ context, event }: ReplyArgs) => ({
    id: context.replyTo ?? '',
    message: build(context, event),
  }),
})

/** The quote's own reason for declining. */
export const declined = (context: ProviderContext, event: unknown) => {
  const output = (event as { output: QuoteResult }).output
  return output.type === 'decline'
    ? rejection(context, output.reason, output.message ?? 'no offer for this call')
    : rejection(context, 'declined', 'no offer for this call')
}

/** Why the counter or accept in the event is refused (see `refusalOf`). */
export const refusal = (context: ProviderContext, event: ProviderMessageEvent) => {
  const { reason, message } = refusalOf(context, event)
  return rejection(context, reason === 'ok' ? 'invalid_input' : reason, message)
}

/** The provider's countersignature on the agreement now in force. */
export const countersignature = (context: ProviderContext): Countersignature => ({
  type: 'countersign',
  cfpId: context.cfp.cfpId,
  proposalId: context.proposal!.proposalId,
  termsHash: context.agreement!.termsHash,
  signature: context.agreement!.providerSignature,
})
