import { createActor } from 'xstate'
import { systemClock } from './clock.js'
import {
  type ConsumerImplementationsParameters,
  consumerImplementations,
} from './consumer/consumerImplementations.js'
import { consumerMachine } from './consumer/machine/consumerMachine.js'
import type { ConsumerInput } from './consumer/machine/consumerTypes.js'
import { type Negotiation, runConsumer } from './consumer/runConsumer.js'
import { resolveInspect } from './inspect.js'
import type { NegotiationClient } from './negotiate.js'
import { snapshotFromJson } from './snapshot.js'

export type ResumeNegotiationParameters = Omit<
  ConsumerImplementationsParameters,
  'signer' | 'send'
> & {
  /** What `Negotiation.persist()` (or `snapshotToJson(actor.getPersistedSnapshot())`) wrote. */
  snapshot: string
  signal?: AbortSignal
}

/**
 * Picks up a negotiation persisted before a restart: messages in flight are sent again,
 * timers re-armed from the clock, so offers and windows that lapsed meanwhile expire at once.
 * Resolves and rejects like `negotiate`.
 *
 * @example const deal = await resumeNegotiation({ signer, send }, { snapshot: await store.get(id) })
 */
export async function resumeNegotiation(
  client: NegotiationClient,
  parameters: ResumeNegotiationParameters,
): Promise<Negotiation> {
  const inspection = client.inspect ? await resolveInspect(client.inspect) : undefined
  const machine = consumerMachine.provide(
    consumerImplementations({ ...parameters, signer: client.signer, send: client.send }),
  )
  const actor = createActor(machine, {
    snapshot: snapshotFromJson(parameters.snapshot),
    // A restored actor takes its context from the snapshot; input is never read.
    input: undefined as unknown as ConsumerInput,
    clock: client.clock ?? systemClock,
    ...(inspection ? { inspect: inspection.inspect } : {}),
  })
  return runConsumer(actor, { signal: parameters.signal, inspection, resume: true })
}
