import { paymentChannelsAbi } from '@gotong/contracts'
import type { Address, Hash, Hex, PublicClient } from 'viem'
import type { ChannelWallet } from '../actions/internal.js'
import type { AnyPayeeStore, AwaitablePayeeStore, PayeeChannel } from '../store/types.js'
import { claimNewest } from './claimNewest.js'
import type { Payee } from './createPayee.js'

/** When the payee cashes its vouchers. Either threshold triggers a claim. */
export type ClaimPolicy = {
  /** Claim once this much is unclaimed on a channel (base units). */
  minAmount?: bigint
  /** Claim once the oldest unclaimed call is this old (milliseconds). */
  maxAgeMs?: number
}

/**
 * Something a payee must hear about before it costs money:
 * - `CLAIM_FAILING`: a closing channel's claim keeps failing; retried until the window ends.
 * - `CLAIM_MISSED`: the window ended first; the payer's closing figure stands.
 * - `WATCH_FAILING`: the RPC keeps failing, so closes may go unseen.
 * - `UNCLAIMED_AT_STOP`: going offline with served calls not yet claimed.
 */
export type SettlerWarning = {
  code: 'CLAIM_FAILING' | 'CLAIM_MISSED' | 'WATCH_FAILING' | 'UNCLAIMED_AT_STOP'
  message: string
  channelId?: Hex
  /** Served but not claimed on chain (base units). */
  unclaimed?: bigint
  /** Unix seconds when the challenge window ends (a closing channel). */
  closesAt?: bigint
  cause?: unknown
}

/** Most blocks one `eth_getLogs` of the close watcher spans: within public RPCs' limits. */
const maxBlockRange = 500n

export type CreateSettlerParameters = {
  payee: Payee
  /** The payee's store; on a shared one, only the replica that leads (`store.leads()`) settles. */
  store: AnyPayeeStore
  wallet: ChannelWallet
  publicClient: PublicClient
  channels: Address
  policy?: ClaimPolicy
  now?: () => number
  /**
   * How warnings state amounts (the agent passes gUSD, "0.005 gUSD"); base units by default,
   * since the settler does not know the token's decimals.
   */
  formatAmount?: (amount: bigint) => string
}

export type Settler = {
  /**
   * Claims the newest served voucher of a channel now. Returns undefined if nothing is owed,
   * also when another sender with this key (the payee's running agent, `gotong channels claim`)
   * claimed it first; of a voucher claimed in part by such a sender, claims the rest.
   */
  claim(
    channelId: Hex,
    options?: { close?: boolean },
  ): Promise<{ hash: Hash; amount: bigint } | undefined>
  /** Applies the policy to every channel; closing channels are always claimed. */
  settle(): Promise<{ channelId: Hex; hash: Hash; amount: bigint }[]>
  /**
   * Channels holding served calls not yet claimed on chain, with what a payee going offline
   * must know: a close can start any time, and must be answered within `challengePeriod`.
   */
  unclaimed(): Promise<
    {
      channelId: Hex
      unclaimed: bigint
      status: PayeeChannel['status']
      closesAt: bigint
      challengePeriod: bigint
    }[]
  >
  /**
   * Follows `CloseStarted` for this payee's channels and claims the newest served voucher at
   * once, well before the challenge window ends. Also checks every channel on start, for closes
   * that began while the payee was down. Returns a function that stops watching at once: no
   * further RPC request, no timer left, a poll under way ignored.
   */
  watch(options?: {
    /**
     * Retries of a failed claim after a close started before each retry also warns
     * (`CLAIM_FAILING`; default 5, backing off from 200 ms to 30 s). It keeps retrying until the
     * challenge window ends (`CLAIM_MISSED`) or the claim lands.
     */
    retries?: number
    /** How long to wait for calls still running at a close before the last claim (default 30 s). */
    settleWithinMs?: number
    /** How often to ask the RPC for new `CloseStarted` events (default 2,000 ms). */
    pollingIntervalMs?: number
    onClaim?: (claim: { channelId: Hex; hash: Hash; amount: bigint }) => void
    /** A failed poll (retried next tick), channel read or claim attempt. */
    onError?: (error: unknown) => void
    /** What the payee must act on: claims failing or missed, a watcher that cannot see. */
    onWarning?: (warning: SettlerWarning) => void
  }): Promise<() => void>
}

/**
 * Cashes a payee's vouchers on chain by policy and defends its channels against closes.
 *
 * @example
 * const settler = createSettler({ payee, store, wallet, publicClient, channels, policy: { minAmount: 1_000_000n } })
 * const stop = await settler.watch()
 */
export function createSettler(parameters: CreateSettlerParameters): Settler {
  const { payee, wallet, publicClient, channels } = parameters
  const store: AwaitablePayeeStore = parameters.store
  // Replicas on one store: one settles, the others stand by until it is gone.
  const leads = async () => (store.leads ? await store.leads() : true)
  const now = parameters.now ?? Date.now
  const amountText = parameters.formatAmount ?? ((amount: bigint) => `${amount} (base units)`)
  const policy = parameters.policy ?? {}
  const inFlight = new Map<Hex, Promise<{ hash: Hash; amount: bigint } | undefined>>()
  // One wallet sends every claim: queue them, or concurrent claims race for the same nonce.
  let queue: Promise<unknown> = Promise.resolve()

  const claim: Settler['claim'] = (channelId, options = {}) => {
    const running = inFlight.get(channelId)
    if (running) return running
    const run = queue.then(() =>
      claimNewest({ payee, store, wallet, publicClient, channels, now }, channelId, options),
    )
    queue = run.catch(() => undefined)
    inFlight.set(channelId, run)
    run.finally(() => inFlight.delete(channelId)).catch(() => undefined)
    return run
  }

  /** Served (committed) but not yet claimed on chain. */
  const unclaimedOf = async (channelId: Hex, known?: PayeeChannel): Promise<bigint> => {
    const channel = known ?? (await store.getChannel(channelId))
    const best = await store.highestCommitted(channelId)
    if (!channel || !best || best.cumulativeAmount <= channel.claimed) return 0n
    return best.cumulativeAmount - channel.claimed
  }

  const unclaimedTotal = async () => {
    let total = 0n
    for (const channel of await store.listChannels()) total += await unclaimedOf(channel.channelId)
    return total
  }

  const due = async (channel: PayeeChannel): Promise<boolean> => {
    if (channel.status === 'closing') return true
    const unclaimed = await unclaimedOf(channel.channelId, channel)
    if (unclaimed === 0n) return false
    if (policy.minAmount !== undefined && unclaimed >= policy.minAmount) return true
    if (policy.maxAgeMs !== undefined) {
      const oldest = (
        await store.listVouchers({ channelId: channel.channelId, status: 'committed' })
      ).find((v) => v.cumulativeAmount > channel.claimed)
      if (oldest && now() - (oldest.settledAt ?? oldest.acceptedAt) >= policy.maxAgeMs) return true
    }
    return false
  }

  const settle: Settler['settle'] = async () => {
    const done: { channelId: Hex; hash: Hash; amount: bigint }[] = []
    if (!(await leads())) return done
    for (const channel of await store.listChannels()) {
      if (channel.status === 'closed' || !(await due(channel))) continue
      const result = await claim(channel.channelId)
      if (result) done.push({ channelId: channel.channelId, ...result })
    }
    return done
  }

  return {
    claim,
    settle,
    unclaimed: async () => {
      const owed = []
      for (const channel of await store.listChannels()) {
        const unclaimed =
          channel.status === 'closed' ? 0n : await unclaimedOf(channel.channelId, channel)
        if (unclaimed > 0n)
          owed.push({
            channelId: channel.channelId,
            unclaimed,
            status: channel.status,
            closesAt: channel.closesAt,
            challengePeriod: BigInt(channel.key.challengePeriod),
          })
      }
      return owed
    },
    async watch(options = {}) {
      const pollingIntervalMs = options.pollingIntervalMs ?? 2_000
      let stopped = false
      let timer: ReturnType<typeof setTimeout> | undefined
      // Sleeps of running defences end early at stop, so nothing is left waiting on a timer.
      const wakers = new Set<() => void>()
      const sleep = (ms: number) =>
        new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(pause)
            wakers.delete(wake)
            resolve()
          }
          const pause = setTimeout(wake, ms)
          wakers.add(wake)
        })
      const defending = new Set<Hex>()
      const defend = async (channelId: Hex) => {
        if (defending.has(channelId)) return
        defending.add(channelId)
        try {
          // A claim can fail for passing reasons (an RPC hiccup, a node not mining): retry with
          // backoff well inside any sensible challenge window, then report.
          for (let attempt = 0; !stopped; attempt++) {
            try {
              await payee.refreshChannel(channelId)
              if (stopped) return
              const result = await claim(channelId)
              if (result) options.onClaim?.({ channelId, ...result })
              // Calls accepted before the close may still finish: claim again once they have,
              // while the window is open (the payee may claim until the channel is finalized).
              const until = now() + (options.settleWithinMs ?? 30_000)
              while (
                !stopped &&
                (await store.listVouchers({ channelId, status: 'pending' })).length &&
                now() < until
              )
                await sleep(50)
              if (stopped) return
              const late = await claim(channelId)
              if (late) options.onClaim?.({ channelId, ...late })
              return
            } catch (error) {
              if (stopped) return
              options.onError?.(error)
              const channel = await store.getChannel(channelId)
              const atRisk = await unclaimedOf(channelId)
              const closesAt = channel?.closesAt ?? 0n
              // Over when nothing is at stake, or the window has ended: finalized on chain, or
              // (the chain out of reach) its end passed by this clock.
              const ended =
                channel?.status === 'closed' || (closesAt > 0n && now() >= Number(closesAt) * 1_000)
              if (atRisk === 0n) return
              if (ended) {
                options.onWarning?.({
                  code: 'CLAIM_MISSED',
                  message: `Channel ${channelId} closed before ${amountText(atRisk)} of served calls could be claimed; the payer's closing voucher settled it.`,
                  channelId,
                  unclaimed: atRisk,
                  closesAt,
                  cause: error,
                })
                return
              }
              const left =
                closesAt > 0n
                  ? Math.max(0, Number(closesAt) * 1_000 - now())
                  : Number.POSITIVE_INFINITY
              if (attempt + 1 >= (options.retries ?? 5))
                options.onWarning?.({
                  code: 'CLAIM_FAILING',
                  message: `Claiming ${amountText(atRisk)} on closing channel ${channelId} failed ${attempt + 1} times; retrying until its window ends${Number.isFinite(left) ? ` in ${Math.round(left / 1_000)} s` : ''}. Check the RPC and the payee's gas.`,
                  channelId,
                  unclaimed: atRisk,
                  closesAt,
                  cause: error,
                })
              await sleep(Math.min(200 * 2 ** attempt, 30_000, Math.max(left, 200)))
            }
          }
        } finally {
          defending.delete(channelId)
        }
      }
      const defendClosing = async () => {
        for (const channel of await store.listChannels()) {
          if (stopped) return
          if (channel.status === 'closed') continue
          const fresh = await payee.refreshChannel(channel.channelId).catch((error) => {
            if (!stopped) options.onError?.(error)
            return undefined
          })
          if (fresh?.status === 'closing' && !stopped) await defend(channel.channelId)
        }
      }

      // The newest block whose CloseStarted events were read. Unknown until the RPC first
      // answers: then every channel is checked again, for closes that began before.
      let cursor: bigint | undefined
      let failures = 0
      const latestBlock = () => publicClient.getBlockNumber({ cacheTime: 0 })
      const poll = async () => {
        // A standby replica reads nothing; once it leads, it checks every channel as on start.
        if (!(await leads())) {
          cursor = undefined
          return
        }
        const latest = await latestBlock()
        if (stopped) return
        if (cursor === undefined) {
          cursor = latest
          void defendClosing()
          return
        }
        if (latest <= cursor) return
        // Far behind (after an outage), it catches up a slice at a time with no pause between:
        // RPC providers refuse wide eth_getLogs ranges, and one refused forever would blind it.
        const toBlock = latest - cursor > maxBlockRange ? cursor + maxBlockRange : latest
        const logs = await publicClient.getContractEvents({
          address: channels,
          abi: paymentChannelsAbi,
          eventName: 'CloseStarted',
          fromBlock: cursor + 1n,
          toBlock,
          strict: true,
        })
        if (stopped) return
        // The event names no payee, so this payee's channels are picked out here.
        for (const log of logs) {
          const channelId = log.args.channelId.toLowerCase() as Hex
          if (await store.getChannel(channelId)) void defend(channelId)
        }
        cursor = toBlock
        return toBlock < latest
      }
      // One poll at a time: the next is scheduled only once this one has finished. The timer is
      // unref'd, so a watcher alone never keeps the process alive.
      const tick = (delay: number) => {
        timer = setTimeout(async () => {
          timer = undefined
          let behind: boolean | undefined
          try {
            behind = await poll()
            failures = 0
          } catch (error) {
            // The cursor stays put: the next tick reads the same blocks again.
            if (!stopped) options.onError?.(error)
            failures++
            // Said once a few polls in a row have failed, then every 30 polls: closes of this
            // payee's channels go unseen while it lasts.
            if (!stopped && (failures === 3 || (failures > 3 && failures % 30 === 0))) {
              const total = await unclaimedTotal().catch(() => undefined)
              options.onWarning?.({
                code: 'WATCH_FAILING',
                message: `The RPC has failed ${failures} polls in a row: closes of this payee's channels go unseen until it answers. Unclaimed: ${total === undefined ? 'unknown (the store does not answer)' : amountText(total)}.`,
                cause: error,
              })
            }
          }
          if (!stopped) tick(behind ? 0 : pollingIntervalMs)
        }, delay)
        timer.unref()
      }
      const unwatch = () => {
        stopped = true
        if (timer) clearTimeout(timer)
        timer = undefined
        for (const wake of [...wakers]) wake()
      }

      try {
        cursor = await latestBlock()
      } catch (error) {
        options.onError?.(error)
      }
      tick(pollingIntervalMs)
      if (cursor !== undefined && (await leads())) await defendClosing()
      return unwatch
    },
  }
}
