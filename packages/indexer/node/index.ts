export {
  IndexerEnv,
  IndexerParameters,
  indexerEnvironment,
  readIndexerEnv,
} from './indexerEnv.js'
export { runIndexer } from './runIndexer.js'
export { appRoot, runPonder, SchemaInUseError } from './runPonder.js'
export {
  type Indexer,
  IndexerStartError,
  StartIndexerParameters,
  startIndexer,
} from './startIndexer.js'
