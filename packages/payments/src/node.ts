export type { SqliteStoreOptions } from './node/openDatabase.js'
export { createSqlitePayeeStore } from './node/sqlitePayeeStore.js'
export { createSqlitePayerStore } from './node/sqlitePayerStore.js'
