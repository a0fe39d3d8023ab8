import type { Accept, CounterProposal, ProviderMessage, Terms } from '@gotong/core'
import type { Hex } from 'viem'
import { nowOf } from '../../clock.js'
import { actionsFor } from '../../machine/actionsFor.js'
import { outputOf } from '../../machine/outputOf.js'
import { armAgreementTimer, armOfferTimer } from '../../machine/timers.js'
import type { ProviderActors } from './providerActors.js'
import { countersigned, messageOf, proposalFor } from './providerContext.js'
import type { ProviderDelay } from './providerDelays.js'
import type {
  ProviderContext,
  ProviderEvent,
  ProviderMessageEvent,
  ProviderOutput,
  ProviderReply,
} from './providerTypes.js'

const { assign, emit, enqueueActions } = actionsFor<
  ProviderContext,
  ProviderEvent,
  ProviderActors,
  ProviderDelay,
  ProviderReply
>()

/** The provider machine's actions. */
export const providerActions = {
  armOfferTimer: enqueueActions(armOfferTimer),
  armAgreementTimer: enqueueActions(armAgreementTimer),
  reply: emit((_, params: { id: string; message: ProviderMessage }) => ({
    type: 'reply' as const,
    ...params,
  })),
  issueProposal: assign(({ context, event, self }) => {
    const { terms } = outputOf<{ terms: Terms }>(event)
    const proposal = proposalFor(context, terms, nowOf(self.system))
    return { proposal, issued: [...context.issued, proposal.proposalId] }
  }),
  takeCounter: assign(({ context, event }) => ({
    counter: messageOf(event) as CounterProposal,
    round: context.round + 1,
    replyTo: (event as ProviderMessageEvent).id,
  })),
  takeAccept: assign(({ event }) => ({
    accept: messageOf(event) as Accept,
    replyTo: (event as ProviderMessageEvent).id,
  })),
  sealAgreement: assign(({ context, event }) => ({
    agreement: countersigned(context, outputOf<Hex>(event)),
  })),
  /** The message being worked on is answered. */
  replied: assign({ replyTo: undefined }),
  /** The accept is answered without an agreement: the offer stands again. */
  dropAccept: assign({ accept: undefined, replyTo: undefined }),
  recordStatus: assign((_, params: { status: ProviderOutput['status'] }) => ({
    status: params.status,
  })),
}
