import { startDevnet } from '@gotong/chain/node'
import { Command } from 'commander'
import { describeDevnet, formatDevnet } from '../output.js'

/**
 * `gotong swarm`: the main job. It starts the embedded devnet, deploys gotong, and reads every
 * funded account's balance back from the chain. The agent swarm itself builds on this.
 */
export function swarmCommand(): Command {
  return new Command('swarm')
    .description('start the embedded devnet, deploy gotong and show the accounts (then exit)')
    .option('--json', 'print one JSON object instead of text')
    .action(async (options: { json?: boolean }) => {
      const started = performance.now()
      const devnet = await startDevnet()
      try {
        const info = await describeDevnet(devnet)
        if (options.json) {
          process.stdout.write(`${JSON.stringify(info)}\n`)
          return
        }
        const ms = Math.round(performance.now() - started)
        process.stdout.write(
          `gotong swarm: devnet started and contracts deployed in ${ms} ms.\n\n${formatDevnet(info)}`,
        )
        process.stdout.write(
          '\nThe agent swarm (providers, orchestrator, negotiation, paid calls) is not part of this build yet;\nthis run checked that the chain, the contracts and the balances are in place.\n',
        )
      } finally {
        await devnet.stop()
      }
    })
}
