import type { ActorSystem } from 'xstate'

// biome-ignore lint/suspicious/noExplicitAny: xstate's own AnyActorSystem is ActorSystem<any>
type AnyActorSystem = ActorSystem<any>

/**
 * Where a negotiation's time comes from: timers and "now" (unix milliseconds). xstate's
 * `SimulatedClock` is one; pass it as `clock` to drive time in tests.
 */
export type Clock = {
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown
  clearTimeout(id: unknown): void
  now(): number
}

/**
 * The wall clock.
 *
 * @example negotiate({ signer, send, clock: systemClock }, parameters)
 */
export const systemClock: Clock = {
  setTimeout: (fn, timeout) => setTimeout(fn, timeout),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
}

/** Longest delay a JS timer takes (about 24.8 days); longer waits re-arm when it fires. */
export const maxTimerDelay = 2 ** 31 - 1

/**
 * The current time of an actor system: its clock's `now()` (the one passed to `createActor`),
 * so timers and time checks never disagree. Clocks without `now` fall back to `Date.now()`.
 */
export function nowOf(system: AnyActorSystem): number {
  const clock = system._clock as Partial<Clock>
  return typeof clock.now === 'function' ? clock.now() : Date.now()
}

/** Milliseconds from the system's now until `unixSeconds`, at least 0. */
export function msUntil(system: AnyActorSystem, unixSeconds: bigint): number {
  return Math.max(0, Number(unixSeconds) * 1000 - nowOf(system))
}

/** Unix seconds of a millisecond time, rounded down. */
export function toUnixSeconds(ms: number): bigint {
  return BigInt(Math.floor(ms / 1000))
}
