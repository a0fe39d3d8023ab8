import { toolDirectoryAbi } from '@gotong/contracts'
import { devnetChainIds } from '@gotong/core'
import { createConfig } from 'ponder'
import { readIndexerEnv } from './node/indexerEnv.js'

// Read from the environment that `startIndexer()` (and `gotong indexer start`) sets, so one app
// serves any chain and deployment. Ponder hashes the contracts below into the build id: a
// schema keeps serving one directory, and a restart with the same one resumes where it stopped.
const env = readIndexerEnv(process.env)

export default createConfig({
  database: { kind: 'postgres', connectionString: env.databaseUrl },
  chains: {
    chain: {
      id: env.chainId,
      rpc: env.rpcUrl,
      pollingInterval: env.pollingInterval,
      // A devnet is reset and reorganized at will: Ponder's RPC cache would serve a dead chain.
      disableCache: devnetChainIds.includes(env.chainId),
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
