import { paymentChannelsAbi } from '@gotong/contracts'
import { Command } from 'commander'
import type { Hash, Hex } from 'viem'
import {
  type AgentOptions,
  CliError,
  createProgress,
  explained,
  gusdText,
  parseChannelId,
  toJson,
  withAgentOptions,
} from '../agentOptions.js'
import {
  type ChannelContext,
  findChannel,
  openChannelContext,
  readOnChain,
} from './channelContext.js'

/**
 * `gotong channels claim <id>`: the payee cashes a channel's newest served voucher. Its running
 * agent (same key, same store) may claim at the same moment, by its policy or at a close; the
 * settler retries a lost race, so the command claims what is left, or names the claim that
 * already covered the newest voucher, and exits 0 either way.
 */
export function claimCommand(): Command {
  const command = new Command('claim')
    .description(
      "as the payee, cash a channel's newest served voucher on chain (or name the claim, say by the payee's running agent, that already did)",
    )
    .argument('<channelId>', 'channel id (or a unique prefix)', parseChannelId)
  return withAgentOptions(command).action(
    explained(async (id: Hex, options: AgentOptions) => {
      const progress = createProgress(!options.json)
      const context = await openChannelContext(options, 'Claiming a voucher', true)
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
        const newest = store.highestCommitted(known.channelId)?.cumulativeAmount ?? 0n
        const coveredBy =
          claimed || newest === 0n
            ? undefined
            : await claimCovering(context, known.channelId, newest)
        const result = {
          channelId: known.channelId,
          claimed: claimed?.amount ?? 0n,
          totalClaimed: after.claimed,
          deposit: after.deposit,
          transactionHash: claimed?.hash ?? null,
          alreadyClaimedBy: coveredBy ?? null,
        }
        if (options.json) return void process.stdout.write(`${toJson(result)}\n`)
        const all = `${gusdText(after.claimed)} claimed in all`
        process.stdout.write(
          claimed
            ? `Claimed ${gusdText(claimed.amount)} from ${known.channelId} (tx ${claimed.hash}); ${all}.\n`
            : coveredBy
              ? `Nothing left to claim on ${known.channelId}: its newest served voucher (${gusdText(newest)} in all) was already claimed by ${coveredBy}, sent with this payee's key (its running agent claims on its own); ${all}.\n`
              : newest === 0n
                ? `Nothing to claim on ${known.channelId}: no call has been served on it yet.\n`
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

/** The first claim on chain that brought the channel's claimed total to `amount` or more. */
async function claimCovering(
  context: ChannelContext,
  channelId: Hex,
  amount: bigint,
): Promise<Hash | undefined> {
  const logs = await context.publicClient.getContractEvents({
    address: context.network.deployments.contracts.paymentChannels,
    abi: paymentChannelsAbi,
    eventName: 'Claimed',
    args: { channelId },
    fromBlock: BigInt(context.network.deployments.startBlock),
    strict: true,
  })
  return logs.find((log) => log.args.cumulativeAmount >= amount)?.transactionHash
}
