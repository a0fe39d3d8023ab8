import { type Deployments, parseDeployments } from '@gotong/chain'
import { AddressSchema, parseWith } from '@gotong/core'
import { z } from 'zod'

/**
 * What the Ponder app reads from its environment. `startIndexer()` and `runIndexer()` write it;
 * the app's config and API read it back, so the app itself has no other configuration.
 */
export const IndexerEnv = z.object({
  GOTONG_INDEXER_RPC_URL: z.url(),
  GOTONG_INDEXER_CHAIN_ID: z.coerce.number().int().positive(),
  GOTONG_INDEXER_DIRECTORY: AddressSchema,
  GOTONG_INDEXER_START_BLOCK: z.coerce.number().int().nonnegative(),
  GOTONG_INDEXER_POLLING_MS: z.coerce.number().int().positive().default(1_000),
  GOTONG_INDEXER_GETLOGS_RANGE: z.coerce.number().int().positive().optional(),
  DATABASE_URL: z.string().min(1),
})

/** The indexer's settings, read from `process.env` (or any record of strings). */
export function readIndexerEnv(env: Record<string, string | undefined>) {
  const parsed = parseWith(IndexerEnv, env, 'indexer environment')
  return {
    rpcUrl: parsed.GOTONG_INDEXER_RPC_URL,
    chainId: parsed.GOTONG_INDEXER_CHAIN_ID,
    directory: parsed.GOTONG_INDEXER_DIRECTORY,
    startBlock: parsed.GOTONG_INDEXER_START_BLOCK,
    pollingInterval: parsed.GOTONG_INDEXER_POLLING_MS,
    getLogsBlockRange: parsed.GOTONG_INDEXER_GETLOGS_RANGE,
    databaseUrl: parsed.DATABASE_URL,
  }
}

/** What `startIndexer()` and `runIndexer()` accept. */
export const IndexerParameters = z.strictObject({
  /** The chain's JSON-RPC URL. */
  rpcUrl: z.url(),
  /** Where gotong is deployed (`deployments.json`): the directory and its start block. */
  deployments: z.custom<Deployments>((value) => typeof value === 'object' && value !== null),
  /** PostgreSQL connection string, e.g. `postgresql://user@127.0.0.1:5432/gotong`. */
  databaseUrl: z.string().min(1),
  /**
   * The PostgreSQL schema the tables go in (`gotong_<chainId>_<directory>` by default). A
   * schema belongs to one deployment: Ponder refuses to reuse it for another.
   */
  schema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,44}$/, 'a lowercase PostgreSQL schema name of at most 45 characters')
    .optional(),
  /** HTTP port of the search API (42069 by default; 0 picks a free one). */
  port: z.number().int().min(0).max(65_535).optional(),
  /** Interface to listen on (127.0.0.1 by default). */
  hostname: z.string().min(1).optional(),
  /** Milliseconds between polls for new blocks (1,000 by default; a devnet wants less). */
  pollingInterval: z.number().int().positive().optional(),
  /**
   * Blocks per `eth_getLogs` request. By default Ponder starts at 500 and adapts to the RPC's
   * errors; a chain whose blocks carry tens of thousands of listings wants a few, or a response
   * outgrows what Node can hold in one string.
   */
  getLogsBlockRange: z.number().int().positive().optional(),
  /** Ponder's log level (`info` in a terminal, `warn` when started from code). */
  logLevel: z.enum(['error', 'warn', 'info', 'debug', 'trace']).optional(),
})
export type IndexerParameters = z.input<typeof IndexerParameters>

/**
 * The environment of an indexer process for these parameters (port 0 must be resolved first),
 * and the schema it will use.
 */
export function indexerEnvironment(parameters: IndexerParameters & { port: number }) {
  const deployments = parseDeployments(parameters.deployments)
  const directory = deployments.contracts.toolDirectory
  const schema =
    parameters.schema ?? `gotong_${deployments.chainId}_${directory.slice(2, 14).toLowerCase()}`
  const env: Record<string, string> = {
    PONDER_TELEMETRY_DISABLED: '1',
    PORT: String(parameters.port),
    DATABASE_URL: parameters.databaseUrl,
    DATABASE_SCHEMA: schema,
    GOTONG_INDEXER_HOSTNAME: parameters.hostname ?? '127.0.0.1',
    GOTONG_INDEXER_RPC_URL: parameters.rpcUrl,
    GOTONG_INDEXER_CHAIN_ID: String(deployments.chainId),
    GOTONG_INDEXER_DIRECTORY: directory,
    GOTONG_INDEXER_START_BLOCK: String(deployments.startBlock),
    GOTONG_INDEXER_POLLING_MS: String(parameters.pollingInterval ?? 1_000),
  }
  if (parameters.logLevel) env.PONDER_LOG_LEVEL = parameters.logLevel
  if (parameters.getLogsBlockRange)
    env.GOTONG_INDEXER_GETLOGS_RANGE = String(parameters.getLogsBlockRange)
  return { env, schema }
}
