import type { EventObject } from 'xstate'
import { outputOf } from './outputOf.js'

/** Guard: the `verify` actor accepted the signature. */
export const verified = ({ event }: { event: EventObject }) => outputOf<boolean>(event)

/** Guard: another counter may still be made (consumer) or answered (provider). */
export const roundsLeft = ({ context }: { context: { round: number; maxRounds: number } }) =>
  context.round < context.maxRounds
