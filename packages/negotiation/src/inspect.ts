import type { InspectionEvent, Observer } from 'xstate'
import { NegotiationError } from './errors.js'

/**
 * How to watch machines live. An observer or function gets xstate's inspection events
 * directly; `{ url }` streams them to a Stately inspector over WebSocket (e.g. one started
 * with `createInspectorServer()` from `@statelyai/inspect/server`); `'sky'` uses Stately Sky.
 * The last two need the optional package `@statelyai/inspect`, loaded only then.
 */
export type InspectOption =
  | Observer<InspectionEvent>
  | ((event: InspectionEvent) => void)
  | { url: string }
  | 'sky'

/** A resolved inspector: what to pass to `createActor`, and how to let go of it. */
export type Inspection = {
  inspect: Observer<InspectionEvent> | ((event: InspectionEvent) => void)
  stop(): void
}

// A variable specifier keeps bundlers and the runtime from requiring the optional package.
const inspectPackage = '@statelyai/inspect'

/**
 * Resolves an `InspectOption`, importing `@statelyai/inspect` only when it is needed.
 *
 * @example const { inspect, stop } = await resolveInspect({ url: 'ws://localhost:8080' })
 */
export async function resolveInspect(option: InspectOption): Promise<Inspection> {
  if (typeof option === 'function' || (typeof option === 'object' && !('url' in option)))
    return { inspect: option, stop: () => {} }
  let module: typeof import('@statelyai/inspect')
  try {
    module = (await import(inspectPackage)) as typeof import('@statelyai/inspect')
  } catch (error) {
    throw new NegotiationError(
      'INSPECT_UNAVAILABLE',
      'Watching negotiations live needs the optional package @statelyai/inspect',
      { cause: error, metaMessages: ['Install it: npm install @statelyai/inspect'] },
    )
  }
  const inspector =
    option === 'sky'
      ? module.createSkyInspector()
      : module.createWebSocketInspector({ url: option.url })
  return { inspect: inspector.inspect, stop: () => inspector.stop() }
}
