export type { FacilitatorClient } from '@x402/core/server'
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
export { bazaarDeclaration, bazaarKey, type ToolSchemas } from './provider/bazaarDeclaration.js'
export {
  createLocalFacilitator,
  type LocalFacilitatorParameters,
} from './provider/createLocalFacilitator.js'
export { createRemoteFacilitator } from './provider/createRemoteFacilitator.js'
export { X402ProviderError, type X402ProviderErrorCode } from './provider/errors.js'
export { exampleOf } from './provider/exampleOf.js'
export { isX402ReceiptSignedBy } from './provider/isX402ReceiptSignedBy.js'
export { runTool, type ToolFailure, type ToolSuccess } from './provider/runTool.js'
export { signX402Receipt } from './provider/signX402Receipt.js'
export {
  X402PricingEntry,
  type X402PricingEntryParameters,
  x402PricingEntry,
  x402Protocol,
} from './provider/x402PricingEntry.js'
export { x402RequestHash } from './provider/x402RequestHash.js'
export {
  type ChooseRailParameters,
  chooseRail,
  defaultChannelFrom,
  type Rail,
  type RailChoice,
  type RailReasonCode,
} from './rail/chooseRail.js'
