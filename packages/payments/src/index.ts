export {
  type Budget,
  type BudgetLimits,
  createBudget,
  type Reservation,
  reserveAll,
} from './budget/createBudget.js'
export { ChannelKey, channelIdOf, VoucherPayment } from './channel/channelKey.js'
export { accountSigner, type DigestSigner, privateKeySigner } from './crypto/digestSigner.js'
export { keccakBackend } from './crypto/keccak.js'
export { secp256k1Backend } from './crypto/native.js'
export {
  BudgetExceededError,
  ChannelError,
  type ChannelErrorCode,
  LedgerUnavailableError,
  ReceiptInvalidError,
  StoreError,
  VoucherRejectedError,
  type VoucherRejection,
  voucherRejections,
} from './errors.js'
export {
  exportLedger,
  type LedgerRow,
  ledgerRows,
  type X402LedgerEntry,
} from './ledger/exportLedger.js'
export { createReceiptDigester } from './receipt/receiptDigest.js'
export { SignedReceipt } from './receipt/signedReceipt.js'
export { type VerifyReceiptParameters, verifyReceipt } from './receipt/verifyReceipt.js'
export type { Awaitable } from './store/runFlow.js'
export type {
  AdjacentVouchers,
  AnyPayeeStore,
  AsyncPayeeStore,
  AwaitablePayeeStore,
  ChannelStatus,
  PayeeBinding,
  PayeeChannel,
  PayeeClaim,
  PayeeStore,
  PayeeVoucher,
  PayeeVoucherStatus,
  PayerChannel,
  PayerStore,
  PayerVoucher,
  PayerVoucherStatus,
} from './store/types.js'
export {
  recoverSigner,
  recoverSignerLowercase,
} from './voucher/recoverSigner.js'
export { createVoucherDigester, type VoucherDigester } from './voucher/voucherDigest.js'
