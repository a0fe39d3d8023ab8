export { finalizeChannel } from './actions/finalizeChannel.js'
export type { ChannelWallet } from './actions/internal.js'
export {
  type OpenChannelParameters,
  type OpenChannelReturnType,
  openChannel,
} from './actions/openChannel.js'
export { readChannel } from './actions/readChannel.js'
export { startCloseChannel } from './actions/startCloseChannel.js'
export { topUpChannel } from './actions/topUpChannel.js'
export {
  type CreatePayerParameters,
  createPayer,
  type IssuedVoucher,
  type Payer,
} from './payer/createPayer.js'
