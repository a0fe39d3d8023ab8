export { createSqliteX402Ledger } from './node/sqliteX402Ledger.js'
export {
  type CreateX402ProviderParameters,
  createX402Provider,
  type X402CallEvent,
  type X402Provider,
} from './provider/createX402Provider.js'
