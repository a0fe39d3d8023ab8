import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import {
  AddressSchema,
  Bytes32,
  bigintReplacer,
  contentHash,
  SignedAgreement,
  Uint256,
  WireError,
} from '@gotong/core'
import { getTool } from '@gotong/directory'
import type { DirectoryIndex, Listing } from '@gotong/directory/node'
import {
  cheapest,
  type Signer as NegotiationSigner,
  negotiate,
  type ScoreFunction,
  systemClock,
} from '@gotong/negotiation'
import {
  type Budget,
  ChannelError,
  type PayerVoucher,
  ReceiptInvalidError,
  type SignedReceipt,
} from '@gotong/payments'
import {
  type ChannelWallet,
  type IssuedVoucher,
  openChannel,
  type Payer,
} from '@gotong/payments/payer'
import type { TransportClient } from '@gotong/transport'
import type { Address, Hex, PublicClient } from 'viem'
import type { InspectionEvent } from 'xstate'
import { z } from 'zod'
import { AgentError, agentCodeOf } from '../errors.js'
import { gateStatus } from '../provider/gate.js'
import { callRequestHash } from '../provider/hostTool.js'
import { verifyAgreementFast } from '../typedSigner.js'

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
  /**
   * How long a check that a tool's on-chain manifest still matches the approved one is reused
   * (default 1,000 ms): a change is refused within this window, and calls don't each wait on
   * the chain.
   */
  toolCheckTtlMs?: number | undefined
  /**
   * A JSON-lines file of this agent's agreements and their channels, so a later process (a
   * second `gotong call`) reuses an open channel instead of funding a new one.
   */
  relationshipsFile?: string | undefined
}

/** One saved relationship: the newest line for a tool wins. */
const SavedRelationship = z.object({
  toolId: Uint256,
  provider: AddressSchema,
  routeBase: z.string(),
  agreement: SignedAgreement,
  channelId: Bytes32,
})
type SavedRelationship = z.output<typeof SavedRelationship>

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
  const fingerprints = new Map<string, Hex>()
  type Unanswered = {
    issued: IssuedVoucher
    body: { termsHash: Hex; input: unknown; payment: unknown }
    idempotencyKey: string
    requestHash: Hex
  }
  /** Every unanswered call per channel, oldest first. */
  const inDoubt = new Map<Hex, Unanswered[]>()
  /**
   * Answers that came back when an unanswered call was re-sent, by request: the caller saw
   * `TOOL_UNAVAILABLE`, so its retry (the same request) gets this answer instead of paying again.
   */
  const recovered = new Map<Hex, CallResult[]>()
  /** Tool names by id, for request hashes: a renamed tool is a changed tool (`TOOL_CHANGED`). */
  const names = new Map<string, string>()
  // Channel transactions from one wallet go one at a time (permit and account nonces).
  let chainQueue: Promise<unknown> = Promise.resolve()
  const checkTtl = parameters.toolCheckTtlMs ?? 1_000
  const clock = parameters.now ?? Date.now
  const versions = new Map<
    string,
    { at: number; read: Promise<{ manifestHash: Hex; version: bigint }> }
  >()
  /** The tool's manifest hash on chain, re-read at most every `toolCheckTtlMs`. */
  const onChainVersion = (toolId: bigint) => {
    const key = toolId.toString()
    const cached = versions.get(key)
    if (cached && clock() - cached.at < checkTtl) return cached.read
    const read = getTool(parameters.publicClient, { address: parameters.directory, toolId })
    versions.set(key, { at: clock(), read })
    read.catch(() => versions.delete(key))
    return read
  }
  const relationships = new Map<string, Promise<Relationship>>()
  const saved = loadRelationships(parameters.relationshipsFile)
  /** Per channel, signed vouchers an earlier process left unanswered, lowest first. */
  const carried = new Map<Hex, PayerVoucher[]>()
  /** Relationships taken from the file, not negotiated by this process. */
  const restored = new WeakSet<Relationship>()
  const remember = (relationship: Relationship) => {
    const { toolId, provider, routeBase, agreement, channelId } = relationship
    const line: SavedRelationship = { toolId, provider, routeBase, agreement, channelId }
    saved.set(toolId.toString(), line)
    if (parameters.relationshipsFile)
      appendFileSync(parameters.relationshipsFile, `${JSON.stringify(line, bigintReplacer)}\n`)
    return relationship
  }
  /**
   * A saved relationship still good to pay through: the agreement in force, the channel open
   * with room for a call, and the tool still listed by the same provider.
   */
  const restore = async (
    toolId: bigint,
    budget: Budget | undefined,
  ): Promise<Relationship | undefined> => {
    const line = saved.get(toolId.toString())
    if (!line) return undefined
    const { agreement } = line.agreement
    const channel = payer.getChannel(line.channelId)
    const inForce =
      agreement.validUntil === 0n || agreement.validUntil > BigInt(Math.floor(clock() / 1000) + 60)
    if (!inForce || channel?.status !== 'open') return undefined
    if (channel.deposit - channel.cumulative < agreement.pricePerCall) return undefined
    const listing = await listingOf(toolId)
    if (listing.creator.toLowerCase() !== line.provider.toLowerCase()) return undefined
    peers.set(line.provider.toLowerCase(), new URL(listing.manifest!.endpoint).origin)
    const relationship: Relationship = { ...line, budget }
    restored.add(relationship)
    // Vouchers the earlier process signed and never heard back about go out first, with the
    // next calls: nothing newer is signed past them.
    const left = payer.vouchers(line.channelId, 'issued').filter((v) => v.signature !== undefined)
    if (left.length > 0) carried.set(line.channelId, left)
    return relationship
  }
  const capabilities = new Map<string, Promise<Relationship>>()
  // Agreed negotiations stay active (their agreements expire on timers) until the agent stops.
  const actors = new Set<{ stop(): void }>()

  const listingOf = async (toolId: bigint): Promise<Listing> => {
    let listing = await index.getListing(toolId)
    if (!listing) {
      await index.sync()
      listing = await index.getListing(toolId)
    }
    if (!listing || listing.deregistered || listing.status !== 'verified' || !listing.manifest)
      throw new AgentError('TOOL_NOT_FOUND', `Tool ${toolId} is not a verified, live listing.`)
    names.set(toolId.toString(), listing.manifest.name)
    return listing
  }
  const toolName = async (toolId: bigint) =>
    names.get(toolId.toString()) ?? nameOf(await listingOf(toolId))

  /** Approves the tool's current manifest; calls are refused if it changes on chain later. */
  const approve = async (toolId: bigint): Promise<Hex> => {
    versions.delete(toolId.toString())
    const listing = await listingOf(toolId)
    approvals.set(toolId.toString(), listing.manifestHash)
    if (listing.manifest) fingerprints.set(toolId.toString(), fingerprintOf(listing.manifest))
    return listing.manifestHash
  }

  const relationshipFor = (
    toolId: bigint,
    options: { maxPrice?: bigint | undefined; budget?: Budget | undefined },
  ) => {
    const key = toolId.toString()
    let relationship = relationships.get(key)
    if (!relationship) {
      relationship = restore(toolId, options.budget).then(
        async (found) =>
          found ?? remember(await establish([await listingOf(toolId)], { toolId }, options)),
      )
      relationships.set(key, relationship)
      relationship.catch(() => relationships.delete(key))
    }
    return relationship
  }

  /** Offers whose gate admits this agent (asked one block behind the head, as providers do). */
  const usable = async (listings: readonly Listing[]): Promise<readonly Listing[]> => {
    if (!listings.some((l) => l.access.predicate)) return listings
    const verdicts = await Promise.all(
      listings.map((l) =>
        gateStatus(parameters.publicClient, {
          directory: parameters.directory,
          toolId: l.toolId,
          account: account.address,
        }).then((status) => status === 'open' || status === 'granted'),
      ),
    )
    return listings.filter((_, i) => verdicts[i])
  }

  const establish = async (
    candidates: readonly Listing[],
    target: { toolId: bigint } | { capability: string },
    options: {
      maxPrice?: bigint | undefined
      budget?: Budget | undefined
      sla?: { p95LatencyMs?: number; callsPerMinute?: number } | undefined
    },
  ): Promise<Relationship> => {
    let listings = candidates
    const label = 'toolId' in target ? `tool ${target.toolId}` : `capability ${target.capability}`
    listings = await usable(listings)
    if (listings.length === 0)
      throw new AgentError(
        'GATE_DENIED',
        `This agent does not meet the access requirements of ${label}.`,
      )
    const offers = new Map<string, { listing: Listing; routeBase: string }>()
    for (const listing of listings) {
      const endpoint = new URL(listing.manifest!.endpoint)
      peers.set(listing.creator.toLowerCase(), endpoint.origin)
      offers.set(listing.creator.toLowerCase(), {
        listing,
        routeBase: endpoint.pathname.replace(/^\/+|\/+$/g, ''),
      })
    }
    const prices = listings.flatMap((l) => (l.price ? [l.price.amount] : []))
    if (prices.length === 0) throw new AgentError('TOOL_NOT_FOUND', `No priced offer for ${label}.`)
    const cheapest = prices.reduce((a, b) => (b < a ? b : a))
    if (options.maxPrice !== undefined && cheapest > options.maxPrice)
      throw new AgentError(
        'PRICE_TOO_HIGH',
        `The cheapest offer for ${label} costs ${cheapest}, more than ${options.maxPrice}.`,
      )
    const maxPricePerCall = options.maxPrice ?? prices.reduce((a, b) => (b > a ? b : a))
    const offerOf = (provider: string) => {
      const offer = offers.get(provider.toLowerCase())
      if (!offer) throw new AgentError('NEGOTIATION_FAILED', `${provider} made no listed offer.`)
      return offer
    }
    const calls = parameters.callsPerChannel ?? 100n
    let channelId: Hex | undefined
    const emit = parameters.onEvent
    const states = new Map<string, string>()
    const eventToolId = 'toolId' in target ? target.toolId : 0n
    const negotiation = await negotiate(
      {
        ...(parameters.now ? { clock: { ...systemClock, now: parameters.now } } : {}),
        signer: account,
        ...(emit
          ? {
              inspect: (event: InspectionEvent) => {
                if (event.type !== '@xstate.snapshot' || event.actorRef?.sessionId !== event.rootId)
                  return
                const value = (event.snapshot as { value?: unknown } | undefined)?.value
                const state = JSON.stringify(value ?? '').replaceAll('"', '')
                if (states.get(event.rootId) === state) return
                states.set(event.rootId, state)
                const provider = listings[0]!.creator
                emit({ type: 'negotiation', toolId: eventToolId, provider, state })
              },
            }
          : {}),
        send: (to, message, { signal }) =>
          transport.request(to as Address, `${offerOf(to).routeBase}/negotiate`, message, {
            signal,
          }),
      },
      {
        providers: listings.map((l) => l.creator),
        chainId: parameters.chainId,
        ...('toolId' in target
          ? {
              tool: {
                registry: parameters.directory,
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
        score: meetsSlaThenCheapest,
        verify: verifyAgreementFast,
        fund: async ({ proposal, agreement }) => {
          // A deposit is locked, not spent, but never more than the budget could ever pay out:
          // whole calls of what remains of it (the provider's minimum deposit still applies).
          const price = proposal.terms.pricePerCall
          const left = options.budget?.remaining()
          const affordable = left === undefined || price === 0n ? undefined : (left / price) * price
          const full = price * calls
          const wanted = affordable !== undefined && affordable < full ? affordable : full
          const floor = proposal.channel.minDeposit > 0n ? proposal.channel.minDeposit : 1n
          const deposit = wanted > floor ? wanted : floor
          const opening = chainQueue.then(() =>
            openChannel(parameters.wallet, parameters.publicClient, {
              channels: parameters.channels,
              payee: proposal.payee,
              token: proposal.terms.token,
              deposit,
              challengePeriod: parameters.challengePeriod ?? 3_600,
            }),
          )
          chainQueue = opening.catch(() => undefined)
          const opened = await opening
          payer.trackChannel({ key: opened.key, deposit })
          emit?.({
            type: 'channel',
            toolId: proposal.tool.toolId,
            provider: proposal.payee,
            channelId: opened.channelId,
            deposit,
          })
          await transport.request(proposal.payee, `${offerOf(proposal.payee).routeBase}/fund`, {
            termsHash: agreement.termsHash,
            key: opened.key,
          })
          channelId = opened.channelId
          return { channelId }
        },
      },
    ).catch((error: unknown) => {
      throw new AgentError('NEGOTIATION_FAILED', `Could not agree terms for ${label}.`, {
        cause: error,
      })
    })
    actors.add(negotiation.actor)
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

  /**
   * Asks every provider listing `capability` (a manifest tag) for terms at once, agrees with
   * the best offer (price and service levels), funds it, and returns the chosen tool's id:
   * competing providers negotiated, not just looked up.
   */
  const negotiateCapability = async (
    capability: string,
    options: {
      maxPrice?: bigint
      budget?: Budget
      sla?: { p95LatencyMs?: number; callsPerMinute?: number }
    } = {},
  ): Promise<Relationship> => {
    const existing = capabilities.get(capability)
    if (existing) return existing
    const pending = (async () => {
      await index.sync()
      const hits = await index.search({ tags: [capability], limit: 50 })
      const listings = hits
        .flatMap((hit) => hit.offers)
        .filter(
          (l) =>
            l.status === 'verified' &&
            !l.deregistered &&
            l.manifest &&
            l.creator.toLowerCase() !== account.address.toLowerCase(),
        )
      if (listings.length === 0)
        throw new AgentError('TOOL_NOT_FOUND', `No provider lists the capability ${capability}.`)
      const relationship = await establish(
        listings,
        { capability },
        {
          maxPrice: options.maxPrice,
          budget: options.budget ?? parameters.budget,
          sla: options.sla,
        },
      )
      const chosen = listings.find((l) => l.toolId === relationship.toolId)!
      approvals.set(relationship.toolId.toString(), chosen.manifestHash)
      relationships.set(relationship.toolId.toString(), Promise.resolve(relationship))
      return remember(relationship)
    })()
    capabilities.set(capability, pending)
    pending.catch(() => capabilities.delete(capability))
    return pending
  }

  /**
   * Checks the tool on chain still has the approved manifest. A new version that changes only
   * where the tool is served (a provider restarted on another port) is taken silently; any
   * other change (description, schemas, price, terms) is refused until approved again.
   */
  const checkVersion = async (toolId: bigint) => {
    const key = toolId.toString()
    const approved = approvals.get(key) ?? (await approve(toolId))
    const current = await onChainVersion(toolId)
    if (current.manifestHash === approved) return
    const before = fingerprints.get(key)
    await index.sync()
    const listing = await index.getListing(toolId)
    if (
      before &&
      listing?.manifest &&
      listing.manifestHash === current.manifestHash &&
      fingerprintOf(listing.manifest) === before
    ) {
      approvals.set(key, listing.manifestHash)
      peers.set(listing.creator.toLowerCase(), new URL(listing.manifest.endpoint).origin)
      return
    }
    throw new AgentError(
      'TOOL_CHANGED',
      `Tool ${toolId} changed on chain (now version ${current.version}) since it was approved; approve it again to use it.`,
      { data: { approved, current: current.manifestHash } },
    )
  }

  /** Sends a paid call; `inDoubt` holds what to re-send if no answer came. */
  const send = (
    relationship: Relationship,
    body: { termsHash: Hex; input: unknown; payment: unknown },
    idempotencyKey: string,
    signal: AbortSignal | undefined,
  ) =>
    transport.request(relationship.provider, `${relationship.routeBase}/call`, body, {
      result: CallAnswer,
      idempotencyKey,
      ...(signal ? { signal } : {}),
    })

  const refusal = (error: WireError) =>
    new AgentError(agentCodeOf(error) ?? 'PAYMENT_REFUSED', error.shortMessage, {
      cause: error,
      ...(error.data ? { data: error.data } : {}),
    })

  const definite = (error: unknown): error is WireError =>
    error instanceof WireError && error.reason !== 'timeout' && error.reason !== 'unavailable'

  /**
   * A call whose answer never came is settled before the channel signs anything new: re-sent
   * with its idempotency key, so the provider answers it from its first result, serves it now,
   * or refuses it (then its voucher is reused). Signing past it could pay for a call never
   * served, since vouchers are cumulative.
   */
  const resolving = new Map<Hex, Promise<void>>()
  /** One resolution per channel at a time: concurrent calls wait for the one under way. */
  const resolveInDoubt = (relationship: Relationship): Promise<void> => {
    const { channelId } = relationship
    if (!inDoubt.get(channelId)?.length) return Promise.resolve()
    let running = resolving.get(channelId)
    if (!running) {
      running = resolveEach(relationship).finally(() => resolving.delete(channelId))
      resolving.set(channelId, running)
    }
    return running
  }
  const resolveEach = async (relationship: Relationship) => {
    const pending = inDoubt.get(relationship.channelId)
    while (pending?.length) {
      const call = pending[0]!
      try {
        const answer = await send(relationship, call.body, call.idempotencyKey, undefined)
        const receipt = payer.confirm(call.issued, answer.receipt, call.requestHash)
        const answers = recovered.get(call.requestHash) ?? []
        answers.push({
          output: answer.output,
          receipt,
          toolId: relationship.toolId,
          price: relationship.agreement.agreement.pricePerCall,
        })
        recovered.set(call.requestHash, answers)
      } catch (error) {
        if (error instanceof ReceiptInvalidError) {
          // A receipt that does not prove this call: not re-sent forever; the voucher stays
          // issued in the ledger, for the books to show.
          pending.splice(pending.indexOf(call), 1)
          throw error
        }
        if (!definite(error)) {
          throw new AgentError(
            'TOOL_UNAVAILABLE',
            `Tool ${relationship.toolId} still does not answer an earlier call; nothing new is signed until it does.`,
            { cause: error },
          )
        }
        const replayed = error.data?.receipt
        // Served already (its reply lost): the receipt says for which request.
        try {
          if (error.reason === 'replayed' && replayed)
            payer.confirm(call.issued, replayed, receiptRequestOf(replayed))
          else payer.fail(call.issued)
        } catch (invalid) {
          pending.splice(pending.indexOf(call), 1)
          throw invalid
        }
      }
      pending.splice(pending.indexOf(call), 1)
    }
    inDoubt.delete(relationship.channelId)
  }

  /**
   * One paid call. Negotiates and funds on first use of a tool, then signs one voucher per
   * call; a used-up channel is replaced by a new agreement and channel. The provider's refusal
   * comes back as an `AgentError` with the provider's code; a definite refusal frees the
   * voucher for the next call, so nothing is paid for nothing.
   */
  const call = async (
    toolId: bigint,
    input: unknown,
    options: { maxPrice?: bigint; budget?: Budget; signal?: AbortSignal } = {},
  ): Promise<CallResult> => {
    await checkVersion(toolId)
    const relationshipOptions = {
      maxPrice: options.maxPrice,
      budget: options.budget ?? parameters.budget,
    }
    let relationship = await relationshipFor(toolId, relationshipOptions)
    await resolveInDoubt(relationship)
    const firstTerms = relationship.agreement.termsHash
    const request = callRequestHash(await toolName(toolId), firstTerms, input)
    // Hashed once per call; again only if a renewed channel brought new terms.
    const requestOf = async (r: Relationship) =>
      r.agreement.termsHash === firstTerms
        ? request
        : callRequestHash(await toolName(toolId), r.agreement.termsHash, input)
    const answered = takeFirst(recovered, request)
    if (answered) {
      parameters.onEvent?.({
        type: 'call',
        toolId,
        provider: relationship.provider,
        price: answered.price,
        ok: true,
      })
      return answered
    }
    const voucherFor = async (r: Relationship) => {
      const { agreement, termsHash } = r.agreement
      const requestHash = await requestOf(r)
      const budget = r.budget?.child(termsHash, {
        max: agreement.pricePerCall * (agreement.maxCalls || 2n ** 64n),
      })
      const left = takeFirst(carried, r.channelId)
      if (left) return { issued: payer.resume(left, budget ? { budget } : {}), requestHash }
      const issued = await payer.createVoucher({
        channelId: r.channelId,
        termsHash,
        amount: agreement.pricePerCall,
        requestHash,
        ...(budget ? { budget } : {}),
      })
      return { issued, requestHash }
    }
    let voucher: Awaited<ReturnType<typeof voucherFor>>
    try {
      voucher = await voucherFor(relationship)
    } catch (error) {
      if (!(error instanceof ChannelError && error.code === 'CHANNEL_DEPOSIT_EXHAUSTED'))
        throw error
      // The channel's calls are used up: agree again and fund a new one.
      // Concurrent calls all find it used up: the first replaces it, the others take the
      // replacement (never delete a newer relationship another call just set).
      const stale = relationships.get(toolId.toString())
      if (
        stale &&
        (await stale.catch(() => undefined))?.channelId === relationship.channelId &&
        relationships.get(toolId.toString()) === stale
      )
        relationships.delete(toolId.toString())
      relationship = await relationshipFor(toolId, relationshipOptions)
      voucher = await voucherFor(relationship)
    }
    const { issued, requestHash } = voucher
    const { termsHash, agreement } = relationship.agreement
    const body = { termsHash, input, payment: issued.payment }
    // One key per call, kept by any retry of it; a reused voucher is a new call.
    const idempotencyKey = callId()
    let answer: z.output<typeof CallAnswer>
    try {
      answer = await send(relationship, body, idempotencyKey, options.signal)
    } catch (error) {
      if (definite(error)) {
        const replayed = error.data?.receipt
        if (issued.reused && error.reason === 'replayed' && replayed) {
          // A voucher carried over from an earlier process had paid for a call served then:
          // keep its receipt, and pay for this call with the next voucher.
          payer.confirm(issued, replayed, receiptRequestOf(replayed))
          return call(toolId, input, options)
        }
        payer.fail(issued)
        // A relationship taken from an earlier process that the provider no longer honours
        // (it forgot the agreement, or the channel is closing): agree and fund anew, once.
        if (restored.has(relationship) && relationshipOver.has(agentCodeOf(error) ?? '')) {
          restored.delete(relationship)
          saved.delete(toolId.toString())
          relationships.delete(toolId.toString())
          return call(toolId, input, options)
        }
        parameters.onEvent?.({
          type: 'call',
          toolId,
          provider: relationship.provider,
          price: 0n,
          ok: false,
          code: agentCodeOf(error) ?? 'PAYMENT_REFUSED',
        })
        throw refusal(error)
      }
      const unanswered = inDoubt.get(relationship.channelId) ?? []
      unanswered.push({ issued, body, idempotencyKey, requestHash })
      inDoubt.set(relationship.channelId, unanswered)
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
    negotiateCapability,
    relationships: async () => Promise.all(relationships.values()),
    /** Stops the negotiation actors and their timers. */
    stop: () => {
      for (const actor of actors) actor.stop()
      actors.clear()
      recovered.clear()
    },
    listing: listingOf,
  }
}

/** Refusals that mean a saved relationship is over, not that the call is wrong. */
const relationshipOver = new Set([
  'AGREEMENT_UNKNOWN',
  'VOUCHER_UNKNOWN_CHANNEL',
  'VOUCHER_CHANNEL_CLOSING',
  'VOUCHER_AGREEMENT_EXPIRED',
])

/** Offers that miss a wanted service level are out; of the rest, the cheapest wins. */
const meetsSlaThenCheapest: ScoreFunction = (proposal, context) => {
  const sla = context.cfp.constraints.sla
  const { p95LatencyMs, callsPerMinute } = proposal.terms
  if (sla?.p95LatencyMs && (p95LatencyMs === 0 || p95LatencyMs > sla.p95LatencyMs))
    return Number.NEGATIVE_INFINITY
  if (sla?.callsPerMinute && callsPerMinute < sla.callsPerMinute) return Number.NEGATIVE_INFINITY
  return cheapest(proposal, context)
}

/** A manifest's content apart from where it is served: what an approval is about. */
function fingerprintOf(manifest: Record<string, unknown>): Hex {
  const { endpoint: _, ...content } = manifest
  return contentHash(content)
}

function callId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('')
}

function nameOf(listing: Listing): string {
  return listing.manifest!.name
}

/** Takes the first of a key's queue, dropping the key once its queue is empty. */
function takeFirst<K, V>(queues: Map<K, V[]>, key: K): V | undefined {
  const queue = queues.get(key)
  const first = queue?.shift()
  if (queue?.length === 0) queues.delete(key)
  return first
}

/** The saved relationships, newest per tool; unreadable lines are skipped. */
function loadRelationships(file: string | undefined): Map<string, SavedRelationship> {
  const found = new Map<string, SavedRelationship>()
  if (!file || !existsSync(file)) return found
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue
    try {
      const parsed = SavedRelationship.safeParse(JSON.parse(line))
      if (parsed.success) found.set(parsed.data.toolId.toString(), parsed.data)
    } catch {
      // A line cut short by a crash: the relationship is negotiated again.
    }
  }
  return found
}

/** The request a payee's receipt says it served (checked again by `payer.confirm`). */
function receiptRequestOf(receipt: unknown): Hex {
  const hash = (receipt as { receipt?: { requestHash?: unknown } } | undefined)?.receipt
    ?.requestHash
  return (typeof hash === 'string' ? hash : '0x') as Hex
}
