import type { CallForProposals, CounterProposal, RejectReason, Terms } from '@gotong/core'
import type { ProvidedActors } from '../../machine/actionsFor.js'
import { notProvided, signNotProvided, verifyWithViem } from '../../machine/defaultActors.js'

/** What the `quote` actor prices: the call for proposals, or a counter to the standing offer. */
export type QuoteInput = {
  cfp: CallForProposals
  /** 0 for the call for proposals, n for the n-th counter. */
  round: number
  counter: CounterProposal | undefined
  /** The terms of the standing proposal, when answering a counter. */
  previous: Terms | undefined
  /** Unix milliseconds. */
  now: number
}

/** A quote: the terms to propose, or why not. */
export type QuoteResult =
  | { type: 'offer'; terms: Terms }
  | { type: 'decline'; reason: RejectReason; message?: string }

/**
 * The provider machine's actors until `.provide({ actors })` replaces them: `quote` and `sign`
 * must be provided; `verify` defaults to viem's signature check.
 */
export const providerActors = {
  quote: notProvided<QuoteResult, QuoteInput>('provider', 'quote'),
  sign: signNotProvided('provider'),
  verify: verifyWithViem,
}

/** The provider's actors as xstate types them for invoking. */
export type ProviderActors = ProvidedActors<typeof providerActors>
