export { recoverSigner, recoveryBackend } from './voucher/recoverSigner.js'
export { createVoucherDigester, type VoucherDigester } from './voucher/voucherDigest.js'
