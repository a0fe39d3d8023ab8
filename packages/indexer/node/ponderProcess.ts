import { runPonder } from './runPonder.js'

// The process `startIndexer()` spawns: Ponder in-process under the schema's advisory lock,
// configured by the environment it was given.
try {
  await runPonder({ logFormat: 'json' })
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}
