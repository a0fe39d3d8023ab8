import type { Network } from '@gotong/agent'
import { type Connection, createClients } from '@gotong/chain'
import { paymentChannelsAbi } from '@gotong/contracts'
import type { ChannelKey } from '@gotong/payments'
import type { Address, Hex, PublicClient } from 'viem'
import { type AgentOptions, CliError, openNetwork, requireKey, storeOf } from '../agentOptions.js'
import { type Books, openBooks } from '../books.js'

/** A channel of this deployment in the agent's books, and its side of it. */
export type Known = { channelId: Hex; role: 'payer' | 'payee'; key: ChannelKey }

/** Channels of this deployment in an agent's books, newest first for the payer's. */
function knownChannels(books: Books, network: Network): Known[] {
  const here = (c: { chainId: number; channels: Address }) =>
    c.chainId === network.chainId &&
    c.channels.toLowerCase() === network.deployments.contracts.paymentChannels.toLowerCase()
  return [
    ...(books.payer?.listChannels() ?? [])
      .filter(here)
      .sort((a, b) => a.openedAt - b.openedAt)
      .map((c) => ({ channelId: c.channelId, role: 'payer' as const, key: c.key })),
    ...(books.payee?.listChannels() ?? [])
      .filter(here)
      .map((c) => ({ channelId: c.channelId, role: 'payee' as const, key: c.key })),
  ]
}

/** The channel a (possibly abbreviated) id names, among those where this agent has `role`. */
export function findChannel(known: Known[], id: Hex, role?: 'payer' | 'payee'): Known {
  const matches = known.filter(
    (c) => (role === undefined || c.role === role) && c.channelId.toLowerCase().startsWith(id),
  )
  const unique = [...new Map(matches.map((m) => [m.channelId, m])).values()]
  if (unique.length === 1) return unique[0]!
  if (unique.length > 1)
    throw new CliError(
      'CHANNEL_AMBIGUOUS',
      `${id} is the start of ${unique.length} channels.`,
      'Give more of the channel id (`gotong channels --json` lists them in full).',
    )
  throw new CliError(
    'CHANNEL_NOT_FOUND',
    `No channel ${id} ${role ? `where this agent is the ${role} ` : ''}is in its store.`,
    role === 'payee'
      ? 'Only the payee claims: pass the provider agent’s --key (and --store if it keeps its state elsewhere).'
      : '`gotong channels` lists the channels of this agent; pass --store if it keeps its state elsewhere.',
  )
}

/**
 * A channel as the chain has it. A closed channel's slot is cleared, so its final split comes
 * from its `ChannelClosed` event: deposit = paid + refunded.
 */
export async function readOnChain(publicClient: PublicClient, network: Network, channelId: Hex) {
  const { readChannel } = await import('@gotong/payments/payer')
  const channels = network.deployments.contracts.paymentChannels
  const slot = await readChannel(publicClient, { channels, channelId })
  if (slot.status !== 'closed') return { ...slot, refunded: null }
  const [closed] = await publicClient.getContractEvents({
    address: channels,
    abi: paymentChannelsAbi,
    eventName: 'ChannelClosed',
    args: { channelId },
    fromBlock: BigInt(network.deployments.startBlock),
  })
  const paid = closed?.args.paidToPayee ?? slot.claimed
  const refunded = closed?.args.refundedToPayer ?? 0n
  return { ...slot, deposit: paid + refunded, claimed: paid, refunded }
}

/** What every `channels` subcommand needs: the chain, the agent's books, its wallet. */
export type ChannelContext = {
  network: Network
  books: Books
  publicClient: PublicClient
  /** Present when the command signs. */
  wallet: Connection['walletClient']
  key: Hex | undefined
  known: Known[]
}

/** Opens the chain, the agent's books and (for `signs`) its wallet. */
export async function openChannelContext(
  options: AgentOptions,
  doing: string,
  signs: boolean,
): Promise<ChannelContext> {
  const key = signs ? requireKey(options, doing) : options.privateKey
  const { store } = storeOf(options, doing)
  const network = await openNetwork(options)
  const books = await openBooks(store)
  const clients = createClients({
    rpcUrl: network.rpcUrl,
    chainId: network.chainId,
    ...(key ? { privateKey: key } : {}),
  })
  return {
    network,
    books,
    publicClient: clients.publicClient as PublicClient,
    wallet: clients.walletClient,
    key,
    known: knownChannels(books, network),
  }
}

/** The chain's clock: the newest block's timestamp. */
export async function chainNow(publicClient: PublicClient): Promise<bigint> {
  return (await publicClient.getBlock({ blockTag: 'latest' })).timestamp
}

/** An ISO time from unix seconds. */
export const when = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString()
