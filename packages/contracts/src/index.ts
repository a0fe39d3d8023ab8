/** AccessPass: ERC-1155 passes (id = tier) that gate tools; owner mints. */
export { accessPassAbi, accessPassBytecode } from './generated/accessPass.js'
/** GotongToken: 6-decimal ERC-20 with EIP-2612 permit and owner minting (devnet "Gotong USD"). */
export { gotongTokenAbi, gotongTokenBytecode } from './generated/gotongToken.js'
