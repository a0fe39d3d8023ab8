import type { Network } from '@gotong/agent'
import { createClients } from '@gotong/chain'
import { paymentChannelsAbi } from '@gotong/contracts'
import type { ChannelKey } from '@gotong/payments'
import { Command } from 'commander'
import type { Address, Hex, PublicClient } from 'viem'
import {
  type AgentOptions,
  CliError,
  createProgress,
  explained,
  gusdText,
  openNetwork,
  parseChannelId,
  requireKey,
  storeOf,
  toJson,
  withAgentOptions,
} from './agentOptions.js'
import { type Books, earnedOn, openBooks, openSiblingBooks, paidOn } from './books.js'

/** One channel of the agent, as the chain and both sides' ledgers have it. */
export type ChannelRow = {
  channelId: Hex
  /** This agent's side of the channel. */
  role: 'payer' | 'payee'
  payer: Address
  payee: Address
  token: Address
  challengePeriod: number
  /** On chain: `none` when the chain does not know it (say, a devnet started afresh). */
  status: 'none' | 'open' | 'closing' | 'closed'
  deposit: bigint
  claimed: bigint
  /** Unix seconds after which a closing channel may be finalized; null unless closing. */
  closesAt: bigint | null
  /** What went back to the payer when it closed; null until then. */
  refunded: bigint | null
  /** Totals from each side's voucher log, where this machine has it (null otherwise). */
  ledger: {
    payer: { calls: number; amount: bigint } | null
    payee: { calls: number; amount: bigint; claimed: bigint } | null
  }
}

type Known = { channelId: Hex; role: 'payer' | 'payee'; key: ChannelKey }

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
function findChannel(known: Known[], id: Hex, role?: 'payer' | 'payee'): Known {
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
async function readOnChain(publicClient: PublicClient, network: Network, channelId: Hex) {
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

async function describe(
  publicClient: PublicClient,
  network: Network,
  books: Books,
  known: Known,
): Promise<ChannelRow> {
  const onChain = await readOnChain(publicClient, network, known.channelId)
  const other = await openSiblingBooks(
    books.store,
    known.role === 'payer' ? known.key.payee : known.key.payer,
  )
  try {
    const payerBooks = known.role === 'payer' ? books : other
    const payeeBooks = known.role === 'payee' ? books : other
    return {
      channelId: known.channelId,
      role: known.role,
      payer: known.key.payer,
      payee: known.key.payee,
      token: known.key.token,
      challengePeriod: known.key.challengePeriod,
      status: onChain.status,
      deposit: onChain.deposit,
      claimed: onChain.claimed,
      closesAt: onChain.status === 'closing' ? onChain.closesAt : null,
      refunded: onChain.refunded,
      ledger: {
        payer: paidOn(payerBooks?.payer, known.channelId),
        payee: earnedOn(payeeBooks?.payee, known.channelId),
      },
    }
  } finally {
    other?.close()
  }
}

/** Opens what every `channels` subcommand needs: the chain, the agent's books, its wallet. */
async function open(options: AgentOptions, doing: string, signs: boolean) {
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
async function chainNow(publicClient: PublicClient): Promise<bigint> {
  return (await publicClient.getBlock({ blockTag: 'latest' })).timestamp
}

const calls = (n: number) => `${n} call${n === 1 ? '' : 's'}`
const when = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString()

/**
 * `gotong channels`: the agent's payment channels as the chain has them, with both sides'
 * ledger totals; `close`, `finalize` and `claim` move them along.
 */
export function channelsCommand(): Command {
  const channels = new Command('channels').description(
    "an agent's payment channels: list them, close (payer), finalize after the challenge period, claim (payee)",
  )
  channels.addCommand(listCommand(), { isDefault: true })
  channels.addCommand(closeCommand())
  channels.addCommand(finalizeCommand())
  channels.addCommand(claimCommand())
  return channels
}

function listCommand(): Command {
  const command = new Command('list')
    .description(
      'list the channels this agent pays or is paid through, read from chain, with both ledgers',
    )
    .option('--all', 'also list channels this chain does not know (from an earlier devnet)')
  return withAgentOptions(command).action(
    explained(async (options: AgentOptions & { all?: boolean }) => {
      const context = await open(options, 'Listing channels', false)
      try {
        const rows: ChannelRow[] = []
        for (const known of context.known)
          rows.push(await describe(context.publicClient, context.network, context.books, known))
        const shown = options.all ? rows : rows.filter((r) => r.status !== 'none')
        if (options.json) return void process.stdout.write(`${toJson(shown)}\n`)
        process.stdout.write(formatRows(shown, await chainNow(context.publicClient)))
        const hidden = rows.length - shown.length
        if (hidden)
          process.stdout.write(
            `(${hidden} channel${hidden === 1 ? '' : 's'} in the store unknown to this chain, from an earlier devnet: --all lists them)\n`,
          )
      } finally {
        context.books.close()
      }
    }),
  )
}

function formatRows(rows: ChannelRow[], now: bigint): string {
  if (rows.length === 0)
    return 'No channels yet: `gotong call <tool>` opens one with the tool’s provider.\n'
  const lines: string[] = []
  for (const r of rows) {
    const status =
      r.status === 'closing' && r.closesAt !== null
        ? r.closesAt <= now
          ? 'closing, ready to finalize'
          : `closing until ${when(r.closesAt)}`
        : r.status === 'none'
          ? 'unknown to this chain'
          : r.status
    lines.push(
      `${r.channelId}  ${status}`,
      `  you are the ${r.role}; payer ${r.payer}, payee ${r.payee}`,
      `  deposit ${gusdText(r.deposit)}, ${r.refunded === null ? `claimed on chain ${gusdText(r.claimed)}` : `paid ${gusdText(r.claimed)}, refunded ${gusdText(r.refunded)}`}`,
      `  payer's ledger  ${r.ledger.payer ? `${calls(r.ledger.payer.calls)}, ${gusdText(r.ledger.payer.amount)} paid` : '(not on this machine)'}`,
      `  payee's ledger  ${r.ledger.payee ? `${calls(r.ledger.payee.calls)}, ${gusdText(r.ledger.payee.amount)} earned, ${gusdText(r.ledger.payee.claimed)} claimed` : '(not on this machine)'}`,
    )
  }
  return `${lines.join('\n')}\n`
}

function closeCommand(): Command {
  const command = new Command('close')
    .description(
      'start closing a channel you pay (the payee may claim during its challenge period)',
    )
    .argument('<channelId>', 'channel id (or a unique prefix)', parseChannelId)
  return withAgentOptions(command).action(
    explained(async (id: Hex, options: AgentOptions) => {
      const progress = createProgress(!options.json)
      const context = await open(options, 'Closing a channel', true)
      try {
        const known = findChannel(context.known, id, 'payer')
        const before = await readOnChain(context.publicClient, context.network, known.channelId)
        if (before.status !== 'open')
          throw new CliError(
            'CHANNEL_NOT_OPEN',
            `Channel ${known.channelId} is ${before.status === 'none' ? 'not on this chain' : before.status}.`,
            before.status === 'closing'
              ? `Finalize it after ${when(before.closesAt)}: gotong channels finalize ${known.channelId}`
              : '`gotong channels` shows where each channel stands.',
          )
        progress.step(`starting to close ${known.channelId}`)
        const { startCloseChannel } = await import('@gotong/payments/payer')
        const { hash } = await startCloseChannel(context.wallet!, context.publicClient, {
          channels: context.network.deployments.contracts.paymentChannels,
          key: known.key,
        })
        progress.done()
        const channel = context.books.payer!.getChannel(known.channelId)!
        context.books.payer!.saveChannel({ ...channel, status: 'closing' })
        const after = await readOnChain(context.publicClient, context.network, known.channelId)
        const result = {
          channelId: known.channelId,
          status: after.status,
          deposit: after.deposit,
          claimed: after.claimed,
          closesAt: after.closesAt,
          transactionHash: hash,
        }
        if (options.json) return void process.stdout.write(`${toJson(result)}\n`)
        process.stdout.write(
          `${[
            `Closing channel ${known.channelId} (tx ${hash}).`,
            `The payee may claim until ${when(after.closesAt)}; deposit ${gusdText(after.deposit)}, claimed ${gusdText(after.claimed)}.`,
            `Then: gotong channels finalize ${known.channelId}`,
          ].join('\n')}\n`,
        )
      } catch (error) {
        progress.done(false)
        throw error
      } finally {
        context.books.close()
      }
    }),
  )
}

function finalizeCommand(): Command {
  const command = new Command('finalize')
    .description('after the challenge period, close a channel and refund the rest to the payer')
    .argument('<channelId>', 'channel id (or a unique prefix)', parseChannelId)
  return withAgentOptions(command).action(
    explained(async (id: Hex, options: AgentOptions) => {
      const progress = createProgress(!options.json)
      const context = await open(options, 'Finalizing a channel', true)
      try {
        const known = findChannel(context.known, id)
        const before = await readOnChain(context.publicClient, context.network, known.channelId)
        if (before.status !== 'closing')
          throw new CliError(
            'CHANNEL_NOT_CLOSING',
            `Channel ${known.channelId} is ${before.status === 'none' ? 'not on this chain' : before.status}, not closing.`,
            before.status === 'open'
              ? `Its payer starts the close first: gotong channels close ${known.channelId}`
              : '`gotong channels` shows where each channel stands.',
          )
        const now = await chainNow(context.publicClient)
        if (now < before.closesAt)
          throw new CliError(
            'CHALLENGE_PERIOD_ACTIVE',
            `The challenge period of ${known.channelId} runs until ${when(before.closesAt)}.`,
            `Run this again in ${before.closesAt - now} s (chain time), after the payee's last chance to claim.`,
          )
        progress.step(`finalizing ${known.channelId}`)
        const { finalizeChannel } = await import('@gotong/payments/payer')
        const { hash } = await finalizeChannel(context.wallet!, context.publicClient, {
          channels: context.network.deployments.contracts.paymentChannels,
          key: known.key,
        })
        progress.done()
        const payerChannel = context.books.payer?.getChannel(known.channelId)
        if (payerChannel) context.books.payer!.saveChannel({ ...payerChannel, status: 'closed' })
        const payeeChannel = context.books.payee?.getChannel(known.channelId)
        if (payeeChannel)
          context.books.payee!.saveChannel({
            ...payeeChannel,
            status: 'closed',
            claimed: before.claimed,
          })
        const result = {
          channelId: known.channelId,
          status: 'closed' as const,
          deposit: before.deposit,
          paid: before.claimed,
          refunded: before.deposit - before.claimed,
          transactionHash: hash,
        }
        if (options.json) return void process.stdout.write(`${toJson(result)}\n`)
        process.stdout.write(
          `Channel ${known.channelId} closed (tx ${hash}): ${gusdText(result.paid)} paid to ${known.key.payee}, ${gusdText(result.refunded)} refunded to ${known.key.payer}.\n`,
        )
      } catch (error) {
        progress.done(false)
        throw error
      } finally {
        context.books.close()
      }
    }),
  )
}

function claimCommand(): Command {
  const command = new Command('claim')
    .description("as the payee, cash a channel's newest served voucher on chain")
    .argument('<channelId>', 'channel id (or a unique prefix)', parseChannelId)
  return withAgentOptions(command).action(
    explained(async (id: Hex, options: AgentOptions) => {
      const progress = createProgress(!options.json)
      const context = await open(options, 'Claiming a voucher', true)
      try {
        const known = findChannel(context.known, id, 'payee')
        const store = context.books.payee!
        const { privateKeySigner } = await import('@gotong/payments')
        const { createChannelReader, createPayee, createSettler } = await import(
          '@gotong/payments/payee'
        )
        const channels = context.network.deployments.contracts.paymentChannels
        const payee = createPayee({
          store,
          signer: privateKeySigner(context.key!),
          chainId: context.network.chainId,
          channels,
          readChannel: createChannelReader(context.publicClient, channels),
        })
        const fresh = await payee.refreshChannel(known.channelId)
        if (fresh.status === 'closed')
          throw new CliError(
            'CHANNEL_NOT_OPEN',
            `Channel ${known.channelId} is closed; nothing can be claimed any more.`,
            '`gotong channels` shows what was paid.',
          )
        const settler = createSettler({
          payee,
          store,
          wallet: context.wallet!,
          publicClient: context.publicClient,
          channels,
        })
        progress.step(`claiming the newest voucher of ${known.channelId}`)
        const claimed = await settler.claim(known.channelId)
        progress.done()
        const after = await readOnChain(context.publicClient, context.network, known.channelId)
        const result = {
          channelId: known.channelId,
          claimed: claimed?.amount ?? 0n,
          totalClaimed: after.claimed,
          deposit: after.deposit,
          transactionHash: claimed?.hash ?? null,
        }
        if (options.json) return void process.stdout.write(`${toJson(result)}\n`)
        process.stdout.write(
          claimed
            ? `Claimed ${gusdText(claimed.amount)} from ${known.channelId} (tx ${claimed.hash}); ${gusdText(after.claimed)} claimed in all.\n`
            : `Nothing to claim on ${known.channelId}: every served voucher is claimed (${gusdText(after.claimed)}).\n`,
        )
      } catch (error) {
        progress.done(false)
        throw error
      } finally {
        context.books.close()
      }
    }),
  )
}
