/** AccessPass: ERC-1155 passes (id = tier) that gate tools; owner mints. */
export { accessPassAbi, accessPassBytecode } from './generated/accessPass.js'
/** AlwaysDenyPredicate: the ERC-8257 way to pause a tool. */
export {
  alwaysDenyPredicateAbi,
  alwaysDenyPredicateBytecode,
} from './generated/alwaysDenyPredicate.js'
/** ERC20MinBalancePredicate: access for holders of at least a minimum ERC-20 balance. */
export {
  erc20MinBalancePredicateAbi,
  erc20MinBalancePredicateBytecode,
} from './generated/erc20MinBalancePredicate.js'
/** ERC721HoldingPredicate: access for holders of any token of a collection. */
export {
  erc721HoldingPredicateAbi,
  erc721HoldingPredicateBytecode,
} from './generated/erc721HoldingPredicate.js'
/** ERC1155HoldingPredicate: access for holders of at least N of one token id. */
export {
  erc1155HoldingPredicateAbi,
  erc1155HoldingPredicateBytecode,
} from './generated/erc1155HoldingPredicate.js'
/** GotongToken: 6-decimal ERC-20 with EIP-2612 permit, EIP-3009 and owner minting (devnet "Gotong USD"). */
export { gotongTokenAbi, gotongTokenBytecode } from './generated/gotongToken.js'
/** IdentityRegistry: ERC-8004 agent identities (ERC-721 + URI, metadata, a signature-proven wallet). */
export { identityRegistryAbi, identityRegistryBytecode } from './generated/identityRegistry.js'
/** PaymentChannels: unidirectional ERC-20 channels paid by cumulative EIP-712 vouchers. */
export { paymentChannelsAbi, paymentChannelsBytecode } from './generated/paymentChannels.js'
/** ProviderStake: stake behind providers' tools, withdrawn after a delay, slashed by two receipts that answer one deterministic request two ways. */
export { providerStakeAbi, providerStakeBytecode } from './generated/providerStake.js'
/** ReceiptFeedbackGateway: ERC-8004 feedback only a client with a paid gotong receipt can give. */
export {
  receiptFeedbackGatewayAbi,
  receiptFeedbackGatewayBytecode,
} from './generated/receiptFeedbackGateway.js'
/** ReputationRegistry: ERC-8004 feedback from clients to agents, with responses and summaries. */
export {
  reputationRegistryAbi,
  reputationRegistryBytecode,
} from './generated/reputationRegistry.js'
/** ToolDirectory: the ERC-8257 tool registry with manifest events, version lineage and agent cards. */
export { toolDirectoryAbi, toolDirectoryBytecode } from './generated/toolDirectory.js'
/** ValidationRegistry: ERC-8004 validation requests to validators and their 0–100 answers. */
export {
  validationRegistryAbi,
  validationRegistryBytecode,
} from './generated/validationRegistry.js'
