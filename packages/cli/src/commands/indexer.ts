import { resolve } from 'node:path'
import { getChainId } from '@gotong/chain'
import { readDeployments } from '@gotong/chain/node'
import { Command, Option } from 'commander'
import { exitWithParent } from '../exitWithParent.js'
import { parsePort } from '../options.js'
import { explained, parseWhole } from './agentOptions.js'
import { withNetworkOptions } from './chainOptions.js'

type IndexerStartOptions = {
  rpc: string
  deployments: string
  databaseUrl: string
  schema?: string
  port: number
  host: string
  pollingInterval?: number
}

/**
 * `gotong indexer start`: the shared directory index, a Ponder app indexing the deployment's
 * ToolDirectory into PostgreSQL and serving the directory's search over HTTP, for agents to use
 * with `--index-url` (or `createAgent({ index: { url } })`) instead of each indexing it alone.
 */
export function indexerCommand(): Command {
  const start = withNetworkOptions(new Command('start'))
    .description(
      'index the directory into PostgreSQL and serve its search (Ponder); runs until Ctrl-C',
    )
    .addOption(
      new Option('--database-url <url>', 'PostgreSQL connection string')
        .env('DATABASE_URL')
        .makeOptionMandatory(),
    )
    .option(
      '--schema <name>',
      'PostgreSQL schema of the tables (one per deployment; gotong_<chainId>_<directory> by default)',
    )
    .option('-p, --port <port>', 'HTTP port of the search API', parsePort, 42_069)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option(
      '--polling-interval <ms>',
      'milliseconds between polls for new blocks (1000 by default)',
      parseWhole(10, 600_000),
    )
    .action(
      explained(async (options: IndexerStartOptions) => {
        exitWithParent()
        const chainId = await getChainId(options.rpc)
        const deployments = await readDeployments(resolve(options.deployments), { chainId })
        const { indexerEnvironment, runIndexer } = await import('@gotong/indexer')
        const parameters = {
          rpcUrl: options.rpc,
          deployments,
          databaseUrl: options.databaseUrl,
          port: options.port,
          hostname: options.host,
          ...(options.schema ? { schema: options.schema } : {}),
          ...(options.pollingInterval ? { pollingInterval: options.pollingInterval } : {}),
        }
        const { schema } = indexerEnvironment(parameters)
        process.stderr.write(
          `indexer: http://${options.host}:${options.port} (schema ${schema}); agents use it with --index-url http://${options.host}:${options.port}\n`,
        )
        await runIndexer(parameters)
      }),
    )
  return new Command('indexer')
    .description('the shared directory index for many agents (Ponder on PostgreSQL)')
    .addCommand(start)
}
