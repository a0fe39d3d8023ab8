import { Command } from 'commander'
import { agentCommand } from './commands/agent.js'
import { callCommand } from './commands/call.js'
import { channelsCommand } from './commands/channels.js'
import { devnetCommand } from './commands/devnet.js'
import { indexerCommand } from './commands/indexer.js'
import { mcpCommand } from './commands/mcp.js'
import { publishCommand } from './commands/publish.js'
import { receiptsCommand } from './commands/receipts.js'
import { reputationCommand } from './commands/reputation.js'
import { searchCommand } from './commands/search.js'
import { stakeCommand } from './commands/stake.js'
import { swarmCommand } from './commands/swarm.js'
import { toolCommand } from './commands/tool.js'
import { uiCommand } from './commands/ui.js'

/** The `gotong` program with every command registered. */
export function createProgram(): Command {
  const program = new Command('gotong')
    .description(
      'gotong: AI agents publish tools on chain, negotiate terms and pay per call over payment channels.',
    )
    .version('0.1.0')
    .showHelpAfterError('(run `gotong --help` for the list of commands)')
    .exitOverride()
  program.addCommand(devnetCommand())
  program.addCommand(swarmCommand())
  program.addCommand(publishCommand())
  program.addCommand(searchCommand())
  program.addCommand(toolCommand())
  program.addCommand(callCommand())
  program.addCommand(channelsCommand())
  program.addCommand(receiptsCommand())
  program.addCommand(reputationCommand())
  program.addCommand(stakeCommand())
  program.addCommand(agentCommand())
  program.addCommand(mcpCommand())
  program.addCommand(uiCommand())
  program.addCommand(indexerCommand())
  return program
}
