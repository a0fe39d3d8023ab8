/** A value now (SQLite) or later (a database server). */
export type Awaitable<T> = T | Promise<T>

/** Store work written once for both kinds of store: each `yield* wait(x)` waits on one answer. */
export type Flow<T> = Generator<unknown, T, unknown>

/** Waits on one store answer inside a {@link Flow}. */
export function* wait<T>(value: Awaitable<T>): Generator<unknown, T, unknown> {
  return (yield value) as T
}

/**
 * Runs a flow synchronously while every answer it waits on is already there, so a synchronous
 * store's transaction still runs in one tick, inside `db.transaction`, exactly as before; from
 * the first promise on, it continues asynchronously and returns a promise.
 */
export function runFlow<T>(flow: Flow<T>): Awaitable<T> {
  let step = flow.next()
  while (!step.done) {
    if (isPromise(step.value)) return resume(flow, step.value)
    step = flow.next(step.value)
  }
  return step.value
}

async function resume<T>(flow: Flow<T>, pending: PromiseLike<unknown>): Promise<T> {
  let step: IteratorResult<unknown, T>
  try {
    step = flow.next(await pending)
  } catch (error) {
    step = flow.throw(error)
  }
  while (!step.done) {
    try {
      step = flow.next(await step.value)
    } catch (error) {
      step = flow.throw(error)
    }
  }
  return step.value
}

function isPromise(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function'
}
