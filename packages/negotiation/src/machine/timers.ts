import type { Proposal, SignedAgreement } from '@gotong/core'
import type { EventObject } from 'xstate'
import { maxTimerDelay, msUntil } from '../clock.js'

type AnyActorSystem = Parameters<typeof msUntil>[0]

/** The part of xstate's `enqueue` a timer needs. */
type TimerEnqueue<TEvent, TDelay extends string> = {
  cancel(id: string): void
  raise(event: TEvent, options: { id: string; delay: TDelay }): void
}

/** What both machines time: the standing offer and the agreement in force. */
type TimedArgs<TDelay extends string> = {
  enqueue: TimerEnqueue<{ type: 'timer.offer' | 'timer.agreement'; early: boolean }, TDelay>
  context: { proposal: Proposal | undefined; agreement: SignedAgreement | undefined }
  system: AnyActorSystem
}

/** Replaces timer `id`: one re-armed on `resume`, or after firing early, must not fire twice. */
export function armTimer<const TEvent, TDelay extends string>(
  enqueue: TimerEnqueue<NoInfer<TEvent>, NoInfer<TDelay>>,
  id: string,
  event: TEvent,
  delay: TDelay,
): void {
  enqueue.cancel(id)
  enqueue.raise(event, { id, delay })
}

/**
 * Arms timer `id` to raise `type` at `until` (unix seconds). A wait longer than one JS timer
 * takes raises it `early`, and the machine re-arms instead of acting on it.
 */
export function armTimerUntil<TType extends string, TDelay extends string>(
  enqueue: TimerEnqueue<{ type: NoInfer<TType>; early: boolean }, NoInfer<TDelay>>,
  system: AnyActorSystem,
  timer: { id: string; type: TType; delay: TDelay; until: bigint },
): void {
  const early = msUntil(system, timer.until) > maxTimerDelay
  armTimer(enqueue, timer.id, { type: timer.type, early }, timer.delay)
}

/** The wait until `until` (unix seconds), capped at what one JS timer takes. */
export function delayUntil(system: AnyActorSystem, until: bigint): number {
  return Math.min(maxTimerDelay, msUntil(system, until))
}

/** Arms `timer.offer` for the standing proposal's `expiresAt`. */
export function armOfferTimer({ enqueue, context, system }: TimedArgs<'offerExpiry'>): void {
  armTimerUntil(enqueue, system, {
    id: 'offer',
    type: 'timer.offer',
    delay: 'offerExpiry',
    until: context.proposal?.expiresAt ?? 0n,
  })
}

/** Arms `timer.agreement` for the agreement's `validUntil`. */
export function armAgreementTimer({
  enqueue,
  context,
  system,
}: TimedArgs<'agreementExpiry'>): void {
  armTimerUntil(enqueue, system, {
    id: 'agreement',
    type: 'timer.agreement',
    delay: 'agreementExpiry',
    until: context.agreement?.agreement.validUntil ?? 0n,
  })
}

/** Delay of `timer.offer`. */
export const offerExpiry = ({ context, system }: Omit<TimedArgs<never>, 'enqueue'>) =>
  delayUntil(system, context.proposal?.expiresAt ?? 0n)

/** Delay of `timer.agreement`. */
export const agreementExpiry = ({ context, system }: Omit<TimedArgs<never>, 'enqueue'>) =>
  delayUntil(system, context.agreement?.agreement.validUntil ?? 0n)

/** Guard: the timer fired only because its wait was longer than one JS timer takes. */
export const early = ({ event }: { event: EventObject }) =>
  (event as EventObject & { early: boolean }).early
