import type { Address } from 'viem'
import { toUnixSeconds } from '../clock.js'
import type { PricingPolicy } from '../pricing/pricingPolicy.js'
import { type CounterPolicy, concede } from './concede.js'
import type { QuoteInput, QuoteResult } from './machine/providerActors.js'

/** The service a provider offers besides the price. */
export type ServiceTerms = {
  /** The token it is paid in. */
  token: Address
  /** Most calls one agreement covers; default as many as the consumer wants. */
  maxCalls?: bigint
  /** Longest agreement in seconds; default one day. */
  maxDuration?: number
  /** Promised p95 latency; 0 (default) promises none. */
  p95LatencyMs?: number
  /** Promised calls per minute; 0 (default) promises none. */
  callsPerMinute?: number
}

export type CreateQuoteParameters = {
  pricing: PricingPolicy
  service: ServiceTerms
  /** How counters are answered; default `concede({ maxBps: 0 })` (price held firm). */
  counter?: CounterPolicy
}

/**
 * A provider's quote function, for the machine's `quote` actor: list terms from the pricing
 * policy and the service terms, declined when they cannot meet the call's cap or token;
 * counters answered by the counter policy.
 *
 * @example const quote = createQuote({ pricing: pricingPolicy(1_000n), service: { token } })
 */
export function createQuote(parameters: CreateQuoteParameters) {
  const { service } = parameters
  const counterPolicy = parameters.counter ?? concede({ maxBps: 0 })
  return async (input: QuoteInput): Promise<QuoteResult> => {
    const { cfp, now } = input
    const { constraints } = cfp
    if (constraints.token && constraints.token !== service.token)
      return { type: 'decline', reason: 'declined', message: `paid in ${service.token} only` }
    const nowSeconds = toUnixSeconds(now)
    if (constraints.deadline <= nowSeconds)
      return { type: 'decline', reason: 'expired', message: 'the deadline has passed' }
    const pricePerCall = await parameters.pricing({
      cfp,
      consumer: cfp.consumer,
      calls: constraints.calls,
      round: input.round,
      now,
    })
    const maxDuration = BigInt(service.maxDuration ?? 86_400)
    const list = {
      token: service.token,
      pricePerCall,
      maxCalls:
        service.maxCalls !== undefined && service.maxCalls < constraints.calls
          ? service.maxCalls
          : constraints.calls,
      validUntil:
        constraints.deadline < nowSeconds + maxDuration
          ? constraints.deadline
          : nowSeconds + maxDuration,
      p95LatencyMs: service.p95LatencyMs ?? 0,
      callsPerMinute: service.callsPerMinute ?? 0,
    }
    if (!input.counter) {
      if (list.pricePerCall > constraints.maxPricePerCall)
        return { type: 'decline', reason: 'declined', message: 'our price is above your cap' }
      return { type: 'offer', terms: list }
    }
    const terms = await counterPolicy({
      cfp,
      counter: input.counter.terms,
      list,
      round: input.round,
    })
    if (!terms || terms.pricePerCall > constraints.maxPricePerCall)
      return { type: 'decline', reason: 'declined', message: 'counter not accepted' }
    return { type: 'offer', terms }
  }
}
