export type {
  X402Ledger,
  X402Payment,
  X402PaymentKey,
  X402PaymentStatus,
} from './ledger/types.js'
