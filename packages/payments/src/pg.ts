export {
  createPgAgreementStore,
  type PgAgreementStore,
  type PgAgreementStoreOptions,
} from './pg/pgAgreementStore.js'
export { createPgPayeeStore, type PgPayeeStoreOptions } from './pg/pgPayeeStore.js'
