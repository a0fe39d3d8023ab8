export { createPgPayeeStore, type PgPayeeStoreOptions } from './pg/pgPayeeStore.js'
