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
import { chainNow, findChannel, openChannelContext, readOnChain, when } from './channelContext.js'

/** `gotong channels finalize <id>`: after the challenge period, close and refund the rest. */
export function finalizeCommand(): Command {
  const command = new Command('finalize')
    .description('after the challenge period, close a channel and refund the rest to the payer')
    .argument('<channelId>', 'channel id (or a unique prefix)', parseChannelId)
  return withAgentOptions(command).action(
    explained(async (id: Hex, options: AgentOptions) => {
      const progress = createProgress(!options.json)
      const context = await openChannelContext(options, 'Finalizing a channel', true)
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
