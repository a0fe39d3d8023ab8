import { resolve } from 'node:path'
import { startDevnet } from '@gotong/chain/node'
import { Command } from 'commander'
import { parseCount, parsePort } from '../options.js'
import { describeDevnet, formatDevnet } from '../output.js'

/** `gotong devnet`: start a local chain with gotong deployed and keep it running until Ctrl-C. */
export function devnetCommand(): Command {
  return new Command('devnet')
    .description('start a local chain with gotong deployed; runs until Ctrl-C')
    .option('-p, --port <port>', 'loopback port (0 picks a free one)', parsePort, 0)
    .option('-a, --accounts <n>', 'funded test accounts', parseCount, 10)
    .option('-d, --deployments <file>', 'write the deployments file here')
    .option('--json', 'print one JSON object instead of text')
    .action(
      async (options: { port: number; accounts: number; deployments?: string; json?: boolean }) => {
        const devnet = await startDevnet({
          port: options.port,
          accounts: options.accounts,
          deploymentsFile: options.deployments ? resolve(options.deployments) : undefined,
        })
        const shutdown = async () => {
          await devnet.stop()
          process.exit(0)
        }
        process.once('SIGINT', shutdown)
        process.once('SIGTERM', shutdown)
        const info = await describeDevnet(devnet)
        if (options.json) process.stdout.write(`${JSON.stringify(info)}\n`)
        else process.stdout.write(`${formatDevnet(info)}\nDevnet running. Press Ctrl-C to stop.\n`)
        await new Promise(() => {})
      },
    )
}
