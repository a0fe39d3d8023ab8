import {
  type CallForProposals,
  CallForProposals as CallForProposalsSchema,
  parseWith,
} from '@gotong/core'
import { bytesToHex, type Hex } from 'viem'
import { createActor } from 'xstate'
import { type Clock, systemClock } from './clock.js'
import {
  type ConsumerImplementationsParameters,
  consumerImplementations,
} from './consumer/consumerImplementations.js'
import { consumerMachine } from './consumer/machine/consumerMachine.js'
import { type Negotiation, runConsumer } from './consumer/runConsumer.js'
import { type InspectOption, resolveInspect } from './inspect.js'

/** What every negotiation of one consumer shares: who signs, how messages travel, the clock. */
export type NegotiationClient = Pick<ConsumerImplementationsParameters, 'signer' | 'send'> & {
  /** Default: the wall clock. */
  clock?: Clock | undefined
  /** Watch the machines live (see InspectOption); off by default. */
  inspect?: InspectOption | undefined
  /** 32 random bytes for call-for-proposals ids; default `crypto.getRandomValues`. */
  randomBytes?: (() => Uint8Array) | undefined
}

export type NegotiateParameters = Omit<ConsumerImplementationsParameters, 'signer' | 'send'> & {
  /** Transport addresses of the providers to ask. */
  providers: readonly string[]
  chainId: number
  /** The tool wanted (or give a capability). */
  tool?: CallForProposals['tool']
  /** A capability tag any tool may answer for (or give a tool). */
  capability?: string
  constraints: Omit<CallForProposals['constraints'], 'deadline'> & {
    /** Unix seconds the calls are wanted until; default a day from now. */
    deadline?: bigint
  }
  /** How long providers have to answer, ms; default 5 s. */
  respondWithin?: number
  /** Counters per provider; default 2. */
  maxRounds?: number
  /** How long a counter or accept may go unanswered, ms; default 10 s. */
  requestTimeoutMs?: number
  /** Cancels the negotiation. */
  signal?: AbortSignal
}

/**
 * Negotiates terms with several providers and resolves once an agreement with the best of them
 * is signed by both sides and funded: sends a call for proposals to every provider, ranks the
 * offers, counters, accepts, verifies the countersignature, falls back to the next-best offer
 * when one fails. Rejects with NegotiationFailedError (`reason`: no_offers, all_rejected, …).
 *
 * @example
 * const deal = await negotiate({ signer: account, send }, {
 *   providers: ['0xProviderA', '0xProviderB'], chainId: 31337,
 *   tool: { registry, toolId: 1n }, constraints: { maxPricePerCall: 1_000n, calls: 100n },
 * })
 * // deal.agreement.termsHash goes into every voucher; later: await deal.settle()
 */
export async function negotiate(
  client: NegotiationClient,
  parameters: NegotiateParameters,
): Promise<Negotiation> {
  const clock = client.clock ?? systemClock
  const now = clock.now()
  const random = client.randomBytes ?? (() => crypto.getRandomValues(new Uint8Array(32)))
  const cfp = parseWith(
    CallForProposalsSchema,
    {
      type: 'cfp',
      cfpId: bytesToHex(random()) as Hex,
      consumer: client.signer.address,
      chainId: parameters.chainId,
      ...(parameters.tool ? { tool: parameters.tool } : {}),
      ...(parameters.capability ? { capability: parameters.capability } : {}),
      constraints: {
        ...parameters.constraints,
        deadline: parameters.constraints.deadline ?? BigInt(Math.floor(now / 1000) + 86_400),
      },
      respondBy: BigInt(Math.ceil((now + (parameters.respondWithin ?? 5_000)) / 1000)),
    },
    'call for proposals',
  )
  const inspection = client.inspect ? await resolveInspect(client.inspect) : undefined
  const machine = consumerMachine.provide(
    consumerImplementations({ ...parameters, signer: client.signer, send: client.send }),
  )
  const actor = createActor(machine, {
    input: {
      cfp,
      providers: parameters.providers,
      ...(parameters.maxRounds !== undefined ? { maxRounds: parameters.maxRounds } : {}),
      ...(parameters.requestTimeoutMs !== undefined
        ? { requestTimeoutMs: parameters.requestTimeoutMs }
        : {}),
    },
    clock,
    ...(inspection ? { inspect: inspection.inspect } : {}),
  })
  return runConsumer(actor, { signal: parameters.signal, inspection })
}
