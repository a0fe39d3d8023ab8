import { toolDirectoryAbi } from '@gotong/contracts'
import { devnetChainIds } from '@gotong/core'
import { createConfig } from 'ponder'
import { http, type Transport } from 'viem'
import { readIndexerEnv } from './node/indexerEnv.js'

// Read from the environment that `startIndexer()` (and `gotong indexer start`) sets, so one app
// serves any chain and deployment. Ponder hashes the contracts below into the build id: a
// schema keeps serving one directory, and a restart with the same one resumes where it stopped.
const env = readIndexerEnv(process.env)
const devnet = devnetChainIds.includes(env.chainId)

/**
 * A devnet's block can hold tens of thousands of listings, whose logs take anvil longer than
 * Ponder's 10 s to send and outgrow viem's 10 MB: the same HTTP transport, with limits of its
 * own (one block's logs, 20,000 listings, are 80 MB).
 */
const devnetRpc: Transport = (options) =>
  http(env.rpcUrl, { timeout: 300_000, maxResponseBodySize: 400 * 1024 * 1024 })({
    ...options,
    timeout: undefined,
  })

export default createConfig({
  database: { kind: 'postgres', connectionString: env.databaseUrl },
  chains: {
    chain: {
      id: env.chainId,
      rpc: devnet ? devnetRpc : env.rpcUrl,
      pollingInterval: env.pollingInterval,
      // A devnet is reset and reorganized at will: Ponder's RPC cache would serve a dead chain.
      disableCache: devnet,
      ...(env.getLogsBlockRange ? { ethGetLogsBlockRange: env.getLogsBlockRange } : {}),
    },
  },
  contracts: {
    // The identity registries (ERC-8004) join here as further contracts, with their own
    // handlers in src/ and tables in ponder.schema.ts.
    ToolDirectory: {
      chain: 'chain',
      abi: toolDirectoryAbi,
      address: env.directory,
      startBlock: env.startBlock,
    },
  },
})
