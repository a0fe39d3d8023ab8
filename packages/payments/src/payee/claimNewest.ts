import { paymentChannelsAbi } from '@gotong/contracts'
import {
  type Address,
  type Hash,
  type Hex,
  NonceTooLowError,
  type PublicClient,
  parseEventLogs,
  BaseError as ViemError,
} from 'viem'
import { claimChannel } from '../actions/claimChannel.js'
import type { ChannelWallet } from '../actions/internal.js'
import { ChannelError } from '../errors.js'
import { runFlow, wait } from '../store/runFlow.js'
import type { AwaitablePayeeStore } from '../store/types.js'
import type { Payee } from './createPayee.js'

/** Attempts at one claim while other senders with the same key keep getting in first. */
const attempts = 5

/** How long a lost claim waits for the other sender's transactions to be mined. */
const settleMs = 60_000

export type ClaimNewestParameters = {
  payee: Payee
  store: AwaitablePayeeStore
  wallet: ChannelWallet
  publicClient: PublicClient
  channels: Address
  now: () => number
}

/**
 * Claims the newest served voucher of a channel, sharing the payee's key with other senders:
 * its running agent and `gotong channels claim` may claim the same channel at the same moment.
 * A claim that loses (its nonce taken, `StaleVoucher` in the simulation or on chain) waits for
 * the key's other transactions to be mined, reads the channel again, and claims only what is
 * left: nothing if the other claim covered the newest voucher. Other failures are thrown.
 *
 * @example const claimed = await claimNewest({ payee, store, wallet, publicClient, channels, now }, channelId)
 */
export async function claimNewest(
  parameters: ClaimNewestParameters,
  channelId: Hex,
  options: { close?: boolean } = {},
): Promise<{ hash: Hash; amount: bigint } | undefined> {
  const { store, wallet, publicClient, channels, now } = parameters
  for (let attempt = 1; ; attempt++) {
    const channel = await store.getChannel(channelId)
    if (!channel)
      throw new ChannelError('CHANNEL_UNKNOWN', `Channel ${channelId} is not bound here.`)
    const best = await store.highestCommitted(channelId)
    if (!best || best.cumulativeAmount <= channel.claimed) return undefined
    let hash: Hash
    try {
      ;({ hash } = await claimChannel(wallet, publicClient, {
        channels,
        key: channel.key,
        voucher: best,
        signature: best.signature,
        ...(options.close ? { close: true } : {}),
      }))
    } catch (error) {
      if (attempt < attempts && (await lostRace(parameters, channelId, channel.claimed, error)))
        continue
      throw error
    }
    // What this transaction paid: less than expected if another claim landed just before it.
    const amount =
      (await paidBy(publicClient, hash, channelId)) ?? best.cumulativeAmount - channel.claimed
    await store.transaction(() =>
      runFlow(
        (function* () {
          const current = (yield* wait(store.getChannel(channelId)))!
          yield* wait(
            store.saveChannel({
              ...current,
              claimed: best.cumulativeAmount,
              ...(options.close ? { status: 'closed' as const } : {}),
            }),
          )
          yield* wait(
            store.saveClaim({
              channelId,
              cumulativeAmount: best.cumulativeAmount,
              txHash: hash,
              at: now(),
            }),
          )
        })(),
      ),
    )
    return { hash, amount }
  }
}

/**
 * Whether a failed claim lost to another sender with this key: its nonce was taken, or the
 * channel's claimed amount moved once that sender's transactions were mined.
 */
async function lostRace(
  parameters: ClaimNewestParameters,
  channelId: Hex,
  claimedBefore: bigint,
  error: unknown,
): Promise<boolean> {
  if (!(error instanceof ChannelError) || error.code !== 'CHANNEL_TX_FAILED') return false
  try {
    // A node may simulate on top of the key's unmined transactions (anvil does), so the other
    // claim can make ours fail before the chain shows it: wait for it first.
    await minedAll(parameters.publicClient, parameters.wallet.account.address)
    const fresh = await parameters.payee.refreshChannel(channelId)
    return nonceTaken(error) || fresh.claimed > claimedBefore
  } catch {
    // The chain cannot be read (an RPC outage): the claim's own error is the one to report.
    return false
  }
}

/** Waits (up to a minute) until every transaction the node has seen from `address` is mined. */
async function minedAll(publicClient: PublicClient, address: Address): Promise<void> {
  const count = (blockTag: 'latest' | 'pending') =>
    publicClient.getTransactionCount({ address, blockTag })
  const interval = Math.max(publicClient.pollingInterval, 10)
  const sent = await count('pending')
  for (let polls = Math.ceil(settleMs / interval); polls > 0; polls--) {
    if ((await count('latest')) >= sent) return
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
}

/** A transaction refused for its nonce: another sender with this key took it first. */
function nonceTaken(error: ChannelError): boolean {
  return (
    error.walk(
      (e) =>
        e instanceof NonceTooLowError ||
        (e instanceof ViemError &&
          /nonce too low|replacement transaction underpriced|already known/i.test(e.details)),
    ) !== null
  )
}

/** The `paid` of the channel's `Claimed` event in a mined claim, if the node still has it. */
async function paidBy(
  publicClient: PublicClient,
  hash: Hash,
  channelId: Hex,
): Promise<bigint | undefined> {
  const receipt = await publicClient.getTransactionReceipt({ hash }).catch(() => undefined)
  const [claimed] = parseEventLogs({
    abi: paymentChannelsAbi,
    eventName: 'Claimed',
    logs: receipt?.logs ?? [],
    args: { channelId },
  })
  return claimed?.args.paid
}
