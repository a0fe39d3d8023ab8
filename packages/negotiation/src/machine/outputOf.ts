import type { DoneActorEvent, EventObject } from 'xstate'

/**
 * The output in an actor's done event. Named actions and guards are typed with the machine's
 * own events only; each caller is used in the `onDone` of the actor whose output it names.
 */
export const outputOf = <TOutput>(event: EventObject): TOutput =>
  (event as DoneActorEvent<TOutput>).output
