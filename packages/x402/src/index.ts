export { createX402Payer } from './consumer/createX402Payer.js'
export { X402PaymentError, type X402PaymentErrorCode } from './consumer/errors.js'
export { payX402 } from './consumer/payX402.js'
export { gotongReceiptExtension } from './consumer/settleAnswer.js'
export type {
  X402Answer,
  X402Payer,
  X402PayerParameters,
  X402Request,
} from './consumer/types.js'
export {
  type VerifyX402ReceiptParameters,
  verifyX402Receipt,
} from './consumer/verifyX402Receipt.js'
export type {
  X402Ledger,
  X402Payment,
  X402PaymentKey,
  X402PaymentStatus,
} from './ledger/types.js'
export {
  type ChooseRailParameters,
  chooseRail,
  defaultChannelFrom,
  type Rail,
  type RailChoice,
  type RailReasonCode,
} from './rail/chooseRail.js'
