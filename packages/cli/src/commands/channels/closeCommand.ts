import { Command } from 'commander'
import type { Hex } from 'viem'
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
import { findChannel, openChannelContext, readOnChain, when } from './channelContext.js'

/** `gotong channels close <id>`: the payer starts the challenge period. */
export function closeCommand(): Command {
  const command = new Command('close')
    .description(
      'start closing a channel you pay (the payee may claim during its challenge period)',
    )
    .argument('<channelId>', 'channel id (or a unique prefix)', parseChannelId)
  return withAgentOptions(command).action(
    explained(async (id: Hex, options: AgentOptions) => {
      const progress = createProgress(!options.json)
      const context = await openChannelContext(options, 'Closing a channel', true)
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
