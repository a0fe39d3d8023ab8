export { openDatabase, type SqliteStoreOptions, type StoreSchema } from './node/openDatabase.js'
export { createSqlitePayeeStore } from './node/sqlitePayeeStore.js'
export { createSqlitePayerStore } from './node/sqlitePayerStore.js'
