import { type SignedAgreement, WireError } from '@gotong/core'
import { getTool } from '@gotong/directory'
import type { DirectoryIndex, Listing } from '@gotong/directory/node'
import { type Signer as NegotiationSigner, negotiate } from '@gotong/negotiation'
import type { Budget, SignedReceipt } from '@gotong/payments'
import { type ChannelWallet, openChannel, type Payer } from '@gotong/payments/payer'
import type { TransportClient } from '@gotong/transport'
import type { Address, Hex, PublicClient } from 'viem'
import type { InspectionEvent } from 'xstate'
import { z } from 'zod'
import { AgentError, agentCodeOf } from '../errors.js'
import { callRequestHash } from '../provider/hostTool.js'

/** One consumer–provider relationship for one tool: the agreement and its funded channel. */
export type Relationship = {
  toolId: bigint
  provider: Address
  routeBase: string
  agreement: SignedAgreement
  channelId: Hex
  budget: Budget | undefined
}

/** A paid call's result: the output and the receipt proving it was served and paid. */
export type CallResult = { output: unknown; receipt: SignedReceipt; toolId: bigint; price: bigint }

export type CreateConsumerParameters = {
  account: NegotiationSigner & { address: Address }
  chainId: number
  directory: Address
  channels: Address
  publicClient: PublicClient
  wallet: ChannelWallet
  transport: TransportClient
  /** Where each provider is reachable: filled from the manifests' endpoints. */
  peers: Map<string, string>
  payer: Payer
  index: DirectoryIndex
  budget?: Budget | undefined
  /** Calls to fund a new channel for (deposit = calls × price, at least the provider's minimum). */
  callsPerChannel?: bigint
  challengePeriod?: number
  now?: () => number
  onEvent?: ((event: ConsumerEvent) => void) | undefined
}

/** What the consuming side reports as it works, for live views. */
export type ConsumerEvent =
  | { type: 'negotiation'; toolId: bigint; provider: Address; state: string }
  | { type: 'channel'; toolId: bigint; provider: Address; channelId: Hex; deposit: bigint }
  | { type: 'call'; toolId: bigint; provider: Address; price: bigint; ok: boolean; code?: string }

const CallAnswer = z.object({ output: z.unknown(), receipt: z.unknown() })

/**
 * The consuming side of an agent: approves tool versions, negotiates once per provider
 * relationship, funds a channel, and makes paid calls whose receipts it checks.
 */
export function createConsumer(parameters: CreateConsumerParameters) {
  const { account, payer, index, transport, peers } = parameters
  const approvals = new Map<string, Hex>()
  const relationships = new Map<string, Promise<Relationship>>()

  const listingOf = async (toolId: bigint): Promise<Listing> => {
    let listing = await index.getListing(toolId)
    if (!listing) {
      await index.sync()
      listing = await index.getListing(toolId)
    }
    if (!listing || listing.deregistered || listing.status !== 'verified' || !listing.manifest)
      throw new AgentError('TOOL_NOT_FOUND', `Tool ${toolId} is not a verified, live listing.`)
    return listing
  }

  /** Approves the tool's current manifest; calls are refused if it changes on chain later. */
  const approve = async (toolId: bigint): Promise<Hex> => {
    const listing = await listingOf(toolId)
    approvals.set(toolId.toString(), listing.manifestHash)
    return listing.manifestHash
  }

  const relationshipFor = (
    toolId: bigint,
    options: { maxPrice?: bigint | undefined; budget?: Budget | undefined },
  ) => {
    const key = toolId.toString()
    let relationship = relationships.get(key)
    if (!relationship) {
      relationship = establish(toolId, options)
      relationships.set(key, relationship)
      relationship.catch(() => relationships.delete(key))
    }
    return relationship
  }

  const establish = async (
    toolId: bigint,
    options: { maxPrice?: bigint | undefined; budget?: Budget | undefined },
  ): Promise<Relationship> => {
    const listing = await listingOf(toolId)
    const manifest = listing.manifest!
    const endpoint = new URL(manifest.endpoint)
    const provider = listing.creator
    peers.set(provider.toLowerCase(), endpoint.origin)
    const routeBase = endpoint.pathname.replace(/^\/+|\/+$/g, '')
    const listed = listing.price?.amount
    const maxPricePerCall = options.maxPrice ?? listed
    if (maxPricePerCall === undefined)
      throw new AgentError('TOOL_NOT_FOUND', `Tool ${toolId} lists no gotong price.`)
    if (listed !== undefined && options.maxPrice !== undefined && listed > options.maxPrice)
      throw new AgentError(
        'PRICE_TOO_HIGH',
        `Tool ${toolId} costs ${listed}, more than ${options.maxPrice}.`,
      )
    const calls = parameters.callsPerChannel ?? 100n
    let channelId: Hex | undefined
    let lastState = ''
    const emit = parameters.onEvent
    const negotiation = await negotiate(
      {
        signer: account,
        ...(emit
          ? {
              inspect: (event: InspectionEvent) => {
                if (event.type !== '@xstate.snapshot' || event.actorRef?.sessionId !== event.rootId)
                  return
                const value = (event.snapshot as { value?: unknown } | undefined)?.value
                const state = JSON.stringify(value ?? '').replaceAll('"', '')
                if (state === lastState) return
                lastState = state
                emit({ type: 'negotiation', toolId, provider, state })
              },
            }
          : {}),
        send: (to, message, { signal }) =>
          transport.request(to as Address, `${routeBase}/negotiate`, message, { signal }),
      },
      {
        providers: [provider],
        chainId: parameters.chainId,
        tool: { registry: parameters.directory, toolId, manifestHash: listing.manifestHash },
        constraints: { maxPricePerCall, calls },
        fund: async ({ proposal, agreement }) => {
          const wanted = proposal.terms.pricePerCall * calls
          const deposit =
            wanted > proposal.channel.minDeposit ? wanted : proposal.channel.minDeposit
          const opened = await openChannel(parameters.wallet, parameters.publicClient, {
            channels: parameters.channels,
            payee: proposal.payee,
            token: proposal.terms.token,
            deposit: deposit > 0n ? deposit : 1n,
            challengePeriod: parameters.challengePeriod ?? 3_600,
          })
          payer.trackChannel({ key: opened.key, deposit: deposit > 0n ? deposit : 1n })
          emit?.({ type: 'channel', toolId, provider, channelId: opened.channelId, deposit })
          await transport.request(proposal.payee, `${routeBase}/fund`, {
            termsHash: agreement.termsHash,
            key: opened.key,
          })
          channelId = opened.channelId
          return { channelId }
        },
      },
    ).catch((error: unknown) => {
      throw new AgentError('NEGOTIATION_FAILED', `Could not agree terms for tool ${toolId}.`, {
        cause: error,
      })
    })
    return {
      toolId,
      provider,
      routeBase,
      agreement: negotiation.agreement,
      channelId: channelId!,
      budget: options.budget,
    }
  }

  /**
   * One paid call. Negotiates and funds on first use of a tool, then signs one voucher per
   * call. The provider's refusal comes back as an `AgentError` with the provider's code; a
   * definite refusal frees the voucher for the next call, so nothing is paid for nothing.
   */
  const call = async (
    toolId: bigint,
    input: unknown,
    options: { maxPrice?: bigint; budget?: Budget; signal?: AbortSignal } = {},
  ): Promise<CallResult> => {
    const approved = approvals.get(toolId.toString()) ?? (await approve(toolId))
    const current = await getTool(parameters.publicClient, {
      address: parameters.directory,
      toolId,
    })
    if (current.manifestHash !== approved)
      throw new AgentError(
        'TOOL_CHANGED',
        `Tool ${toolId} changed on chain (now version ${current.version}) since it was approved; approve it again to use it.`,
        { data: { approved, current: current.manifestHash } },
      )
    const relationship = await relationshipFor(toolId, {
      maxPrice: options.maxPrice,
      budget: options.budget ?? parameters.budget,
    })
    const { agreement, termsHash } = relationship.agreement
    const requestHash = callRequestHash(nameOf(await listingOf(toolId)), termsHash, input)
    const budget = relationship.budget?.child(termsHash, {
      max: agreement.pricePerCall * (agreement.maxCalls || 2n ** 64n),
    })
    const issued = await payer.createVoucher({
      channelId: relationship.channelId,
      termsHash,
      amount: agreement.pricePerCall,
      requestHash,
      ...(budget ? { budget } : {}),
    })
    let answer: z.output<typeof CallAnswer>
    try {
      answer = await transport.request(
        relationship.provider,
        `${relationship.routeBase}/call`,
        { termsHash, input, payment: issued.payment },
        {
          result: CallAnswer,
          // One key per call, kept by any retry of it; a reused voucher is a new call.
          idempotencyKey: callId(),
          ...(options.signal ? { signal: options.signal } : {}),
        },
      )
    } catch (error) {
      if (
        error instanceof WireError &&
        error.reason !== 'timeout' &&
        error.reason !== 'unavailable'
      ) {
        payer.fail(issued)
        const code = agentCodeOf(error) ?? 'PAYMENT_REFUSED'
        throw new AgentError(code, error.shortMessage, {
          cause: error,
          ...(error.data ? { data: error.data } : {}),
        })
      }
      throw new AgentError(
        'TOOL_UNAVAILABLE',
        `Tool ${toolId} did not answer; the call may be retried.`,
        {
          cause: error,
        },
      )
    }
    const receipt = payer.confirm(issued, answer.receipt, requestHash)
    parameters.onEvent?.({
      type: 'call',
      toolId,
      provider: relationship.provider,
      price: agreement.pricePerCall,
      ok: true,
    })
    return { output: answer.output, receipt, toolId, price: agreement.pricePerCall }
  }

  return {
    approve,
    call,
    relationships: async () => Promise.all(relationships.values()),
    listing: listingOf,
  }
}

function callId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('')
}

function nameOf(listing: Listing): string {
  return listing.manifest!.name
}
