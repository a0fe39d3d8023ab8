export { createSqliteX402Ledger } from './node/sqliteX402Ledger.js'
