import type { Listing } from '@gotong/directory/node'
import type { Hex } from 'viem'
import { approveTool } from './approveTool.js'
import { type CallListingOptions, callListing } from './callListing.js'
import { type CallToolOptions, callTool } from './callTool.js'
import { createConsumerContext } from './consumerState.js'
import { getListing } from './getListing.js'
import { type NegotiateCapabilityParameters, negotiateCapability } from './negotiateCapability.js'
import { type PayOverX402Parameters, payOverX402 } from './payOverX402.js'
import type {
  CallResult,
  ChannelAnswer,
  CreateConsumerParameters,
  Relationship,
  X402CallResult,
} from './types.js'

/** The consuming side of an agent, as `createConsumer` wires it. */
export type Consumer = {
  /** Approves a tool's current manifest version (again, after it changed), or a pinned one. */
  approve(toolId: bigint, pinned?: Hex): Promise<Hex>
  /** One paid call of a directory tool, through its channel or over x402 (the rail policy's choice). */
  call(toolId: bigint, input: unknown, options?: CallListingOptions): Promise<CallResult>
  /** One paid call through the tool's channel (negotiated and funded on first use), whatever the rail policy. */
  callChannel(toolId: bigint, input: unknown, options?: CallToolOptions): Promise<ChannelAnswer>
  /** One call of any x402 URL, paid within the agent's budget and the call's. */
  callX402(call: PayOverX402Parameters): Promise<X402CallResult>
  /** Negotiates with every provider of a capability and agrees with the best offer. */
  negotiateCapability(
    capability: string,
    options?: NegotiateCapabilityParameters,
  ): Promise<Relationship>
  /** Every relationship this consumer holds or is establishing. */
  relationships(): Promise<Relationship[]>
  /** A tool's verified, live listing. */
  listing(toolId: bigint): Promise<Listing>
  /**
   * Runs a transaction of the agent's wallet after those under way (channel opens, feedback,
   * registration): one account nonce at a time.
   */
  queue<T>(transaction: () => Promise<T>): Promise<T>
  /** Stops the negotiation actors and their timers. */
  stop(): void
}

/**
 * The consuming side of an agent: approves tool versions, negotiates once per provider
 * relationship, funds a channel, and makes paid calls whose receipts it checks. Each action
 * lives in its own module and takes the consumer's context; this only wires them.
 *
 * @example
 * const consumer = createConsumer({ account, chainId, directory, channels, publicClient,
 *   wallet, transport, peers, payer, index })
 * const { output, receipt } = await consumer.call(toolId, { text: 'many hands' })
 */
export function createConsumer(parameters: CreateConsumerParameters): Consumer {
  const consumer = createConsumerContext(parameters)
  const { state } = consumer
  return {
    approve: (toolId, pinned) => approveTool(consumer, toolId, pinned),
    call: (toolId, input, options) => callListing(consumer, toolId, input, options),
    callChannel: (toolId, input, options) => callTool(consumer, toolId, input, options),
    callX402: (call) => payOverX402(consumer, call),
    negotiateCapability: (capability, options) =>
      negotiateCapability(consumer, capability, options),
    relationships: () => Promise.all(state.relationships.values()),
    listing: (toolId) => getListing(consumer, toolId),
    queue: (transaction) => {
      const run = state.chainQueue.then(transaction)
      state.chainQueue = run.catch(() => undefined)
      return run
    },
    stop: () => {
      for (const actor of state.actors) actor.stop()
      state.actors.clear()
      state.recovered.clear()
    },
  }
}
