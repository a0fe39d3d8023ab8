import { parseWith } from '@gotong/core'
import { IndexerParameters, indexerEnvironment } from './indexerEnv.js'
import { runPonder } from './runPonder.js'

/**
 * Runs the shared directory indexer in this process, until it is stopped (Ctrl-C): what
 * `gotong indexer start` does. Ponder logs to the terminal.
 *
 * @example await runIndexer({ rpcUrl, deployments, databaseUrl, port: 42069 })
 */
export async function runIndexer(parameters: IndexerParameters): Promise<void> {
  const options = parseWith(IndexerParameters, parameters, 'indexer parameters')
  const { env } = indexerEnvironment({ ...options, port: options.port ?? 42_069 })
  Object.assign(process.env, { PONDER_LOG_LEVEL: 'info' }, env)
  await runPonder({ logFormat: 'pretty' })
}
