import { Command } from 'commander'
import { claimCommand } from './channels/claimCommand.js'
import { closeCommand } from './channels/closeCommand.js'
import { finalizeCommand } from './channels/finalizeCommand.js'
import { listCommand } from './channels/listCommand.js'

export type { ChannelRow } from './channels/listCommand.js'

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
