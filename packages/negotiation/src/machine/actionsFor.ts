import {
  type AnyEventObject,
  type Assigner,
  assign,
  type EventObject,
  emit,
  enqueueActions,
  type MachineContext,
  type NonReducibleUnknown,
  type ParameterizedObject,
  type PropertyAssigner,
  type ProvidedActor,
  type SendExpr,
  type UnknownActorLogic,
  type Values,
} from 'xstate'

type Params = ParameterizedObject['params'] | undefined

/** What an `enqueueActions` implementation receives, for one machine's types. */
export type EnqueueArgs<
  TContext extends MachineContext,
  TEvent extends EventObject,
  TActor extends ProvidedActor,
  TDelay extends string,
  TEmitted extends AnyEventObject,
> = Parameters<
  Parameters<
    typeof enqueueActions<
      TContext,
      TEvent,
      undefined,
      TEvent,
      TActor,
      never,
      never,
      TDelay,
      TEmitted
    >
  >[0]
>[0]

/** A `setup({ actors })` map as xstate types it for invoking and spawning. */
export type ProvidedActors<TActors extends Record<string, UnknownActorLogic>> = Values<{
  [K in keyof TActors & string]: { src: K; logic: TActors[K]; id: string | undefined }
}>

/**
 * xstate's `assign`, `enqueueActions` and `emit` bound to one machine's types, so its actions
 * can live in their own module and still check against its `setup`. Each takes its params'
 * type from the implementation's second argument (none: any, as in `setup` itself).
 *
 * @example
 * const { assign } = actionsFor<Context, Event, ProvidedActors<typeof actors>, Delay>()
 * const fail = assign((_, params: { reason: string }) => ({ failure: params }))
 */
export function actionsFor<
  TContext extends MachineContext,
  TEvent extends EventObject,
  TActor extends ProvidedActor,
  TDelay extends string = never,
  TEmitted extends AnyEventObject = never,
>() {
  return {
    assign: <TParams extends Params = NonReducibleUnknown>(
      assignment:
        | Assigner<TContext, TEvent, TParams, TEvent, TActor>
        | PropertyAssigner<TContext, TEvent, TParams, TEvent, TActor>,
    ) => assign<TContext, TEvent, TParams, TEvent, TActor>(assignment),
    enqueueActions: <TParams extends Params = NonReducibleUnknown>(
      collect: (
        args: EnqueueArgs<TContext, TEvent, TActor, TDelay, TEmitted>,
        params: TParams,
      ) => void,
    ) =>
      enqueueActions<TContext, TEvent, TParams, TEvent, TActor, never, never, TDelay, TEmitted>(
        collect,
      ),
    emit: <TParams extends Params = NonReducibleUnknown>(
      build: SendExpr<TContext, TEvent, TParams, TEmitted, TEvent>,
    ) => emit<TContext, TEvent, TParams, TEvent, TEmitted>(build),
  }
}
