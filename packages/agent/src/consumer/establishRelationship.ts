import type { Listing } from '@gotong/directory/node'
import {
  cheapest,
  type ConsumerContext as NegotiationContext,
  negotiate,
  reputationWeighted,
  type ScoreFunction,
  systemClock,
} from '@gotong/negotiation'
import type { Address, Hex } from 'viem'
import type { InspectionEvent } from 'xstate'
import { AgentError } from '../errors.js'
import { describeNegotiation } from '../events/describeNegotiation.js'
import { gateStatus } from '../provider/gate.js'
import { verifyAgreementFast } from '../typedSigner.js'
import type { ConsumerContext } from './consumerState.js'
import { fundChannel } from './fundChannel.js'
import { requireStake } from './requireStake.js'
import type { Relationship, SpendLimits, WantedSla } from './types.js'

export type EstablishRelationshipParameters = SpendLimits & {
  /** The competing listings: of one tool, or of every provider of a capability. */
  candidates: readonly Listing[]
  target: { toolId: bigint } | { capability: string }
  sla?: WantedSla | undefined
}

/**
 * Asks every candidate whose gate admits this agent for terms at once, agrees with the best
 * offer (service levels met, then the cheapest), and funds a channel for it: a signed
 * agreement and a bound channel, ready for paid calls.
 */
export async function establishRelationship(
  consumer: ConsumerContext,
  { candidates, target, ...options }: EstablishRelationshipParameters,
): Promise<Relationship> {
  const label = 'toolId' in target ? `tool ${target.toolId}` : `capability ${target.capability}`
  const admitted = await usable(consumer, candidates)
  if (admitted.length === 0)
    throw new AgentError(
      'GATE_DENIED',
      `This agent does not meet the access requirements of ${label}.`,
    )
  const listings = await requireStake(consumer, admitted, label)
  const offers = new Map<string, { listing: Listing; routeBase: string }>()
  for (const listing of listings) {
    const endpoint = new URL(listing.manifest!.endpoint)
    consumer.peers.set(listing.creator.toLowerCase(), endpoint.origin)
    offers.set(listing.creator.toLowerCase(), {
      listing,
      routeBase: endpoint.pathname.replace(/^\/+|\/+$/g, ''),
    })
  }
  const prices = listings.flatMap((l) => (l.price ? [l.price.amount] : []))
  if (prices.length === 0) throw new AgentError('TOOL_NOT_FOUND', `No priced offer for ${label}.`)
  const lowest = prices.reduce((a, b) => (b < a ? b : a))
  if (options.maxPrice !== undefined && lowest > options.maxPrice)
    throw new AgentError(
      'PRICE_TOO_HIGH',
      `The cheapest offer for ${label} costs ${lowest}, more than ${options.maxPrice}.`,
    )
  const maxPricePerCall = options.maxPrice ?? prices.reduce((a, b) => (b > a ? b : a))
  const offerOf = (provider: string) => {
    const offer = offers.get(provider.toLowerCase())
    if (!offer) throw new AgentError('NEGOTIATION_FAILED', `${provider} made no listed offer.`)
    return offer
  }
  const calls = consumer.callsPerChannel ?? 100n
  let channelId: Hex | undefined
  const emit = consumer.onEvent
  const negotiation = await negotiate(
    {
      ...(consumer.now ? { clock: { ...systemClock, now: consumer.now } } : {}),
      signer: consumer.account,
      ...(emit
        ? {
            inspect: reportStates((state, context) => {
              const detail = describeNegotiation(context, consumer.clock())
              emit({
                type: 'negotiation',
                toolId: 'toolId' in target ? target.toolId : 0n,
                provider: detail.provider ?? listings[0]!.creator,
                state,
                detail,
              })
            }),
          }
        : {}),
      send: (to, message, { signal }) =>
        consumer.transport.request(to as Address, `${offerOf(to).routeBase}/negotiate`, message, {
          signal,
        }),
    },
    {
      providers: listings.map((l) => l.creator),
      chainId: consumer.chainId,
      ...('toolId' in target
        ? {
            tool: {
              registry: consumer.directory,
              toolId: target.toolId,
              manifestHash: listings[0]!.manifestHash,
            },
          }
        : { capability: target.capability }),
      constraints: {
        maxPricePerCall,
        calls,
        ...(options.sla ? { sla: options.sla } : {}),
      },
      // Paid reputation weighs in only when the agent asked for it (createAgent's `reputation`).
      ...(consumer.reputation
        ? {
            score: reputationWeighted(meetsSlaThenCheapest, consumer.reputationScoring),
            reputation: reputationOf(consumer, offerOf),
          }
        : { score: meetsSlaThenCheapest }),
      verify: verifyAgreementFast,
      fund: async ({ proposal, agreement }) => {
        channelId = await fundChannel(consumer, {
          proposal,
          agreement,
          calls,
          budget: options.budget,
          routeBase: offerOf(proposal.payee).routeBase,
        })
        return { channelId }
      },
    },
  ).catch((error: unknown) => {
    throw new AgentError('NEGOTIATION_FAILED', `Could not agree terms for ${label}.`, {
      cause: error,
    })
  })
  consumer.state.actors.add(negotiation.actor)
  const winner = offerOf(negotiation.proposal.payee)
  return {
    toolId: negotiation.proposal.tool.toolId,
    provider: winner.listing.creator,
    routeBase: winner.routeBase,
    agreement: negotiation.agreement,
    channelId: channelId!,
    budget: options.budget,
  }
}

/** Offers whose gate admits this agent (asked one block behind the head, as providers do). */
async function usable(
  consumer: ConsumerContext,
  listings: readonly Listing[],
): Promise<readonly Listing[]> {
  if (!listings.some((l) => l.access.predicate)) return listings
  const verdicts = await Promise.all(
    listings.map((l) =>
      gateStatus(consumer.publicClient, {
        directory: consumer.directory,
        toolId: l.toolId,
        account: consumer.account.address,
      }).then((status) => status === 'open' || status === 'granted'),
    ),
  )
  return listings.filter((_, i) => verdicts[i])
}

/** An xstate inspector that reports each new state of a root negotiation, once, with its context. */
function reportStates(report: (state: string, context: NegotiationContext) => void) {
  const states = new Map<string, string>()
  return (event: InspectionEvent) => {
    if (event.type !== '@xstate.snapshot' || event.actorRef?.sessionId !== event.rootId) return
    const snapshot = event.snapshot as unknown as { value?: unknown; context: NegotiationContext }
    const state = JSON.stringify(snapshot.value ?? '').replaceAll('"', '')
    if (states.get(event.rootId) === state) return
    states.set(event.rootId, state)
    report(state, snapshot.context)
  }
}

/** The reputation hook of a negotiation: each offer's provider, read from its listing. */
function reputationOf(
  consumer: ConsumerContext,
  offerOf: (provider: string) => { listing: Listing },
): (payee: Address) => Promise<number> {
  // 0.5 (unknown) when it cannot be read: a reputation outage must not block buying.
  return async (payee) =>
    (await consumer.reputation?.(offerOf(payee).listing).catch(() => undefined)) ?? 0.5
}

/** Offers that miss a wanted service level are out; of the rest, the cheapest wins. */
const meetsSlaThenCheapest: ScoreFunction = (proposal, context) => {
  const sla = context.cfp.constraints.sla
  const { p95LatencyMs, callsPerMinute } = proposal.terms
  if (sla?.p95LatencyMs && (p95LatencyMs === 0 || p95LatencyMs > sla.p95LatencyMs))
    return Number.NEGATIVE_INFINITY
  if (sla?.callsPerMinute && callsPerMinute < sla.callsPerMinute) return Number.NEGATIVE_INFINITY
  return cheapest(proposal, context)
}
