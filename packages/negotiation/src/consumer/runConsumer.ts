import type { Proposal, SignedAgreement } from '@gotong/core'
import type { Actor } from 'xstate'
import { NegotiationFailedError } from '../errors.js'
import type { Inspection } from '../inspect.js'
import { snapshotToJson } from '../snapshot.js'
import type { consumerMachine } from './machine/consumerMachine.js'
import type { ConsumerOutput, ProviderFailure } from './machine/consumerTypes.js'

/** A running consumer actor. */
export type ConsumerActor = Actor<typeof consumerMachine>

/** An agreement in force: signed by both sides, funded, not yet settled. */
export type Negotiation = {
  agreement: SignedAgreement
  /** The proposal it was made from (channel requirements included). */
  proposal: Proposal
  /** The provider's transport address. */
  provider: string
  /** What the fund actor returned (e.g. the channel id). */
  funding: unknown
  /** Providers that dropped out on the way, and why. */
  failures: ProviderFailure[]
  actor: ConsumerActor
  /** The negotiation as JSON, for `resumeNegotiation` after a restart. */
  persist(): string
  /** Ends the agreement: runs the settle actor, resolves with the final output. */
  settle(): Promise<ConsumerOutput>
  /** Like settle, but the output says cancelled. */
  cancel(): Promise<ConsumerOutput>
}

/**
 * Runs a consumer actor until its agreement is in force (resolves) or it ends without one
 * (rejects with NegotiationFailedError).
 */
export function runConsumer(
  actor: ConsumerActor,
  options: {
    signal?: AbortSignal | undefined
    inspection?: Inspection | undefined
    /** The actor was restored from a snapshot: re-arm its timers once started. */
    resume?: boolean
  },
): Promise<Negotiation> {
  return new Promise((resolve, reject) => {
    const finished = new Promise<ConsumerOutput>((settled) => {
      actor.subscribe({
        complete: () => {
          options.inspection?.stop()
          settled(actor.getSnapshot().output as ConsumerOutput)
        },
      })
    })
    const abort = () => actor.send({ type: 'cancel' })
    options.signal?.addEventListener('abort', abort, { once: true })
    let resolved = false
    const subscription = actor.subscribe({
      next(snapshot) {
        if (resolved) return
        if (snapshot.matches('active')) {
          resolved = true
          subscription.unsubscribe()
          const { context } = snapshot
          resolve({
            agreement: context.agreement!,
            proposal: context.proposal!,
            provider: context.candidates[context.current]?.provider ?? '',
            funding: context.funding,
            failures: context.failures,
            actor,
            persist: () => snapshotToJson(actor.getPersistedSnapshot()),
            settle: () => {
              actor.send({ type: 'settle' })
              return finished
            },
            cancel: () => {
              actor.send({ type: 'cancel' })
              return finished
            },
          })
        } else if (snapshot.status === 'done') {
          resolved = true
          subscription.unsubscribe()
          options.signal?.removeEventListener('abort', abort)
          const output = snapshot.output as ConsumerOutput
          reject(
            output.status === 'failed'
              ? new NegotiationFailedError(output.reason, output.message, {
                  failures: output.failures,
                })
              : new NegotiationFailedError('cancelled', 'The negotiation was cancelled', {
                  failures: output.failures,
                }),
          )
        }
      },
      error(error) {
        if (resolved) return
        resolved = true
        options.inspection?.stop()
        reject(error)
      },
    })
    actor.start()
    if (options.resume) actor.send({ type: 'resume' })
    if (options.signal?.aborted) abort()
  })
}
