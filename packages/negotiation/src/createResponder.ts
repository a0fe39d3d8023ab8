import {
  type ChannelRequirements,
  ConsumerMessage,
  type NegotiatedTool,
  type ProviderMessage,
  type Reject,
  type RejectReason,
  type SignedAgreement,
} from '@gotong/core'
import { type Address, type Hex, isAddressEqual, zeroHash } from 'viem'
import { type Actor, createActor, fromPromise, type InspectionEvent, type Observer } from 'xstate'
import { type SignAgreementParameters, signAgreement } from './agreement/signAgreement.js'
import type { VerifyAgreementParameters } from './agreement/verifyAgreement.js'
import { type Clock, systemClock } from './clock.js'
import type { PricingPolicy } from './pricing/pricingPolicy.js'
import type { CounterPolicy } from './provider/concede.js'
import { createQuote, type ServiceTerms } from './provider/createQuote.js'
import type { QuoteInput, QuoteResult } from './provider/machine/providerActors.js'
import { providerMachine } from './provider/machine/providerMachine.js'
import type { ProviderInput, ProviderOutput } from './provider/machine/providerTypes.js'
import type { Signer } from './signer.js'
import { snapshotFromJson, snapshotToJson } from './snapshot.js'

export type CreateResponderParameters = {
  /** Countersigns agreements; its address is the payee. */
  signer: Signer
  chainId: number
  /** The tool offered. */
  tool: NegotiatedTool
  /** Capability tags a call for proposals may name instead of the tool. */
  capabilities?: readonly string[]
  channel: ChannelRequirements
  service: ServiceTerms
  pricing: PricingPolicy
  /** How counters are answered; default: price held firm. */
  counter?: CounterPolicy
  /** Seconds each proposal stands; default 60. */
  offerTtl?: number
  /** Counters answered per negotiation; default 3. */
  maxRounds?: number
  /** Default: the wall clock. */
  clock?: Clock
  /** Watch the machines live: an observer, or `(await resolveInspect(option)).inspect`. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void)
  /** What `persist()` wrote before a restart: negotiations resume (or expire) from there. */
  restore?: string
  /** Checks consumers' signatures; default `verifyAgreement` (viem). */
  verify?: (parameters: VerifyAgreementParameters) => Promise<boolean>
  /** Called once per agreement countersigned. */
  onAgreement?: (agreement: SignedAgreement) => void
  /** Ended negotiations remembered, so late messages get `closed` rather than `not_found`. */
  remember?: number
}

/** One provider's end of the protocol for one tool. */
export type Responder = {
  /** The payee address. */
  address: Address
  /**
   * Answers one message from a consumer: a proposal, a countersignature or a reject. `from`
   * is the sender as the transport authenticated it; when given it must be the consumer.
   */
  handle(message: unknown, options?: { from?: string }): Promise<ProviderMessage>
  /** Status of a negotiation by cfp id: its state while it runs, its end after. */
  status(cfpId: Hex): string | undefined
  /** Agreements in force. */
  agreements(): SignedAgreement[]
  /** Every running negotiation as JSON, for `restore` after a restart. */
  persist(): string
  /**
   * Offers a new version of the tool from now on (its manifest changed on chain): calls for
   * proposals must name this hash; negotiations already under way keep theirs.
   */
  setManifestHash(manifestHash: Hex): void
  /** Stops every machine (timers included). */
  stop(): void
}

type ProviderActor = Actor<typeof providerMachine>
type Entry = { actor: ProviderActor; consumer: Address; queue: Promise<unknown> }

const reject = (cfpId: Hex, reason: RejectReason, message: string): Reject => ({
  type: 'reject',
  cfpId,
  reason,
  message,
})

/**
 * A provider's responder: runs one provider machine per call for proposals and answers every
 * message over whatever transport calls `handle`. Messages are parsed with zod; those for a
 * negotiation that already ended get `closed` (or `expired`).
 *
 * @example
 * const responder = createResponder({ signer, chainId, tool, channel,
 *   service: { token }, pricing: pricingPolicy(1_000n) })
 * bus.on(responder.address, (message) => responder.handle(message))
 */
export function createResponder(parameters: CreateResponderParameters): Responder {
  const clock = parameters.clock ?? systemClock
  const { signer } = parameters
  const quote = createQuote({
    pricing: parameters.pricing,
    service: parameters.service,
    ...(parameters.counter ? { counter: parameters.counter } : {}),
  })
  const machine = providerMachine.provide({
    actors: {
      quote: fromPromise<QuoteResult, QuoteInput>(({ input }) => quote(input)),
      sign: fromPromise<Hex, SignAgreementParameters>(({ input }) => signAgreement(signer, input)),
      ...(parameters.verify
        ? {
            verify: fromPromise<boolean, VerifyAgreementParameters>(({ input }) =>
              parameters.verify!(input),
            ),
          }
        : {}),
    },
  })
  let tool = parameters.tool
  const offer = {
    payee: signer.address,
    tool,
    channel: parameters.channel,
    offerTtl: parameters.offerTtl ?? 60,
  }
  const live = new Map<Hex, Entry>()
  const ended = new Map<Hex, ProviderOutput['status']>()
  const remember = parameters.remember ?? 10_000
  let nextId = 0

  function track(cfpId: Hex, actor: ProviderActor, consumer: Address): Entry {
    const entry: Entry = { actor, consumer, queue: Promise.resolve() }
    live.set(cfpId, entry)
    let served = false
    actor.subscribe({
      next(snapshot) {
        if (!served && snapshot.matches('serving') && snapshot.context.agreement) {
          served = true
          parameters.onAgreement?.(snapshot.context.agreement)
        }
        if (snapshot.status !== 'done') return
        live.delete(cfpId)
        ended.set(cfpId, (snapshot.output as ProviderOutput).status)
        if (ended.size > remember) ended.delete(ended.keys().next().value as Hex)
      },
    })
    return entry
  }

  function spawn(options: { input: ProviderInput } | { snapshot: unknown }): ProviderActor {
    return createActor(machine, {
      ...options,
      clock,
      ...(parameters.inspect ? { inspect: parameters.inspect } : {}),
    } as Parameters<typeof createActor<typeof machine>>[1] & {})
  }

  /** Sends one event and waits for the reply paired with it. */
  function exchange(actor: ProviderActor, id: string, start: () => void): Promise<ProviderMessage> {
    return new Promise((resolve) => {
      const subscription = actor.on('reply', (reply) => {
        if (reply.id !== id) return
        subscription.unsubscribe()
        stopped.unsubscribe()
        resolve(reply.message)
      })
      // A machine that ends without answering (stopped from outside) must not hang the caller.
      const stopped = actor.subscribe({
        complete: () => {
          subscription.unsubscribe()
          resolve(reject(actor.getSnapshot().context.cfp.cfpId, 'closed', 'negotiation closed'))
        },
      })
      start()
    })
  }

  if (parameters.restore) {
    const saved = snapshotFromJson<{ live: unknown[]; ended: [Hex, ProviderOutput['status']][] }>(
      parameters.restore,
    )
    for (const [cfpId, status] of saved.ended) ended.set(cfpId, status)
    for (const snapshot of saved.live) {
      const actor = spawn({ snapshot })
      const { cfp } = actor.getSnapshot().context
      track(cfp.cfpId, actor, cfp.consumer)
      actor.start()
      actor.send({ type: 'resume' })
    }
  }

  async function handle(raw: unknown, options: { from?: string } = {}): Promise<ProviderMessage> {
    const parsed = ConsumerMessage.safeParse(raw)
    const rawCfpId = (raw as { cfpId?: unknown } | null)?.cfpId
    if (!parsed.success)
      return reject(
        typeof rawCfpId === 'string' && /^0x[0-9a-fA-F]{64}$/.test(rawCfpId)
          ? (rawCfpId.toLowerCase() as Hex)
          : zeroHash,
        'invalid_input',
        parsed.error.issues[0]?.message ?? 'not a consumer message',
      )
    const message = parsed.data
    const { cfpId } = message
    const entry = live.get(cfpId)
    // A running negotiation belongs to the consumer that opened it, whatever a message claims.
    const consumer = entry?.consumer ?? (message.type === 'cfp' ? message.consumer : undefined)
    if (options.from !== undefined && consumer && !sameAddress(options.from, consumer))
      return reject(cfpId, 'invalid_signature', 'the sender is not the consumer')
    if (!entry) {
      const status = ended.get(cfpId)
      if (status)
        return reject(cfpId, status === 'expired' ? 'expired' : 'closed', `negotiation ${status}`)
      if (message.type !== 'cfp') return reject(cfpId, 'not_found', 'no such negotiation')
      if (message.chainId !== parameters.chainId)
        return reject(cfpId, 'declined', `chain ${parameters.chainId} only`)
      if (!offers(message)) return reject(cfpId, 'declined', 'tool not offered here')
      if (Number(message.respondBy) * 1000 < clock.now())
        return reject(cfpId, 'expired', 'respondBy has passed')
      const id = String(nextId++)
      const actor = spawn({
        input: {
          cfp: message,
          offer,
          requestId: id,
          ...(parameters.maxRounds !== undefined ? { maxRounds: parameters.maxRounds } : {}),
        },
      })
      const created = track(cfpId, actor, message.consumer)
      const reply = exchange(actor, id, () => actor.start())
      created.queue = reply
      return reply
    }
    const id = String(nextId++)
    const turn = entry.queue.then(() =>
      entry.actor.getSnapshot().status === 'done'
        ? handle(message, options)
        : exchange(entry.actor, id, () =>
            entry.actor.send({ type: 'message', id, at: clock.now(), message }),
          ),
    )
    entry.queue = turn
    return turn
  }

  function offers(cfp: Extract<ConsumerMessage, { type: 'cfp' }>): boolean {
    const wanted = cfp.tool
    if (wanted)
      return (
        isAddressEqual(wanted.registry, tool.registry) &&
        wanted.toolId === tool.toolId &&
        (wanted.manifestHash === undefined || wanted.manifestHash === tool.manifestHash)
      )
    return cfp.capability !== undefined && (parameters.capabilities ?? []).includes(cfp.capability)
  }

  return {
    address: signer.address,
    handle,
    setManifestHash(manifestHash) {
      tool = { ...tool, manifestHash }
      offer.tool = tool
    },
    status(cfpId) {
      const entry = live.get(cfpId.toLowerCase() as Hex)
      if (entry) return String(entry.actor.getSnapshot().value)
      return ended.get(cfpId.toLowerCase() as Hex)
    },
    agreements() {
      return [...live.values()]
        .map(({ actor }) => actor.getSnapshot())
        .filter((snapshot) => snapshot.matches('serving'))
        .map((snapshot) => snapshot.context.agreement!)
    },
    persist() {
      return snapshotToJson({
        live: [...live.values()].map(({ actor }) => actor.getPersistedSnapshot()),
        ended: [...ended],
      })
    },
    stop() {
      for (const { actor } of live.values()) actor.stop()
      live.clear()
    },
  }
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}
