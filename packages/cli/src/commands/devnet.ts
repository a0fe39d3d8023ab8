import { resolve } from 'node:path'
import { DevnetPortInUseError } from '@gotong/chain'
import { startDevnet } from '@gotong/chain/node'
import { Command } from 'commander'
import { exitWithParent } from '../exitWithParent.js'
import { parseCount, parsePort } from '../options.js'
import { describeDevnet, formatDevnet } from '../output.js'
import { defaultDeploymentsFile } from './chainOptions.js'

/** The port other commands look for a devnet on (`--rpc` defaults to http://127.0.0.1:8545). */
export const defaultDevnetPort = 8545

type DevnetOptions = { port?: number; accounts: number; deployments: string; json?: boolean }

/**
 * `gotong devnet`: start a local chain with gotong deployed where the other commands look for
 * it by default (port 8545, `.gotong/deployments.json`), and keep it running until Ctrl-C.
 */
export function devnetCommand(): Command {
  return new Command('devnet')
    .description('start a local chain with gotong deployed; runs until Ctrl-C')
    .option(
      '-p, --port <port>',
      `loopback port (default ${defaultDevnetPort}, or a free one if it is taken; 0 picks a free one)`,
      parsePort,
    )
    .option('-a, --accounts <n>', 'funded test accounts', parseCount, 10)
    .option('-d, --deployments <file>', 'write the deployments file here', defaultDeploymentsFile)
    .option('--json', 'print one JSON object instead of text')
    .action(async (options: DevnetOptions) => {
      // Under npx or npm run, a SIGTERM kills the shell between them and this process; anvil
      // must stop all the same. (A SIGKILL of this process is startDevnet's to handle.)
      exitWithParent()
      const deploymentsFile = resolve(options.deployments)
      const start = (port: number) =>
        startDevnet({ port, accounts: options.accounts, deploymentsFile })
      let devnet: Awaited<ReturnType<typeof startDevnet>>
      let note: string | undefined
      if (options.port !== undefined) devnet = await start(options.port)
      else {
        try {
          devnet = await start(defaultDevnetPort)
        } catch (error) {
          if (!(error instanceof DevnetPortInUseError)) throw error
          devnet = await start(0)
          note = `note: port ${defaultDevnetPort} is in use, so the devnet listens on ${devnet.rpcUrl} instead. Point other commands at it with --rpc ${devnet.rpcUrl} or GOTONG_RPC_URL=${devnet.rpcUrl}.`
        }
      }
      const shutdown = async () => {
        await devnet.stop()
        process.exit(0)
      }
      process.once('SIGINT', shutdown)
      process.once('SIGTERM', shutdown)
      const info = await describeDevnet(devnet)
      if (note) process.stderr.write(`${note}\n`)
      if (options.json) process.stdout.write(`${JSON.stringify(info)}\n`)
      else
        process.stdout.write(
          `${formatDevnet(info)}\n${
            note || deploymentsFile !== resolve(defaultDeploymentsFile)
              ? `For the other commands: export GOTONG_RPC_URL=${devnet.rpcUrl} GOTONG_DEPLOYMENTS=${deploymentsFile}\n`
              : 'Other gotong commands run in this folder use this devnet by default.\n'
          }Devnet running. Press Ctrl-C to stop.\n`,
        )
      await new Promise(() => {})
    })
}
