export { type ClaimChannelParameters, claimChannel } from './actions/claimChannel.js'
export type { ChannelWallet } from './actions/internal.js'
export { createChannelReader, readChannel } from './actions/readChannel.js'
export {
  type CreatePayeeParameters,
  createPayee,
  type OnChainChannel,
  type Payee,
  type VoucherTicket,
} from './payee/createPayee.js'
export {
  type ClaimPolicy,
  type CreateSettlerParameters,
  createSettler,
  type Settler,
  type SettlerWarning,
} from './payee/createSettler.js'
export {
  isVerifiedPayment,
  parsePayment,
  type VerifiedPayment,
  verifyPayment,
} from './payee/verifyPayment.js'
