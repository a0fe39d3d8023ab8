export {
  Agreement,
  agreementTypes,
  gotongDomain,
  gotongDomainName,
  gotongDomainVersion,
  hashAgreement,
  noEnvelopeHash,
  Receipt,
  receiptTypes,
  SignedVoucher,
  SignedX402Receipt,
  Voucher,
  voucherTypes,
  X402Receipt,
  x402ReceiptTypes,
} from './eip712/types.js'
export { InvalidAmountError, type InvalidAmountReason } from './errors/amount.js'
export { BaseError, type BaseErrorParameters } from './errors/base.js'
export { InvalidCaipError } from './errors/caip.js'
export {
  InvalidInputError,
  InvalidManifestError,
  parseWith,
  toValidationIssues,
  type ValidationIssue,
} from './errors/validation.js'
export {
  toWireError,
  WireError,
  WireErrorPayload,
  type WireReason,
  wireReasons,
} from './errors/wire.js'
export {
  AgentEvent,
  type AgentEventBody,
  AgentEventEnvelope,
  type AgentEventType,
  agentEventTypes,
  agentEventVersion,
  NegotiationDropout,
  NegotiationOffer,
} from './events/agentEvent.js'
export { agentEventJson, type ParsedAgentEvent, parseAgentEvent } from './events/parseAgentEvent.js'
export { AgentCard, agentCardHash, agentCardType } from './manifest/agentCard.js'
export {
  GotongTerms,
  GotongToolManifest,
  gotongChannelProtocol,
  gotongTermsKey,
  gotongToolManifestSchema,
} from './manifest/gotongTerms.js'
export {
  describeManifestChanges,
  type ManifestChanges,
  manifestChanges,
} from './manifest/manifestChanges.js'
export {
  manifestHash,
  type ParseToolManifestOptions,
  parseToolManifest,
} from './manifest/parseToolManifest.js'
export { devnetChainIds } from './manifest/rules.js'
export { testNetworkHost, testNetworkVariable } from './manifest/testNetworkHost.js'
export {
  AccessHints,
  type ManifestContext,
  manifestLimits,
  PricingEntry,
  ToolManifest,
  toolManifestSchema,
  toolManifestType,
} from './manifest/toolManifest.js'
export {
  formatToolModel,
  ToolModel,
  toolModelKey,
  toolModelOf,
} from './manifest/toolModel.js'
export { Accept, Countersignature } from './protocol/accept.js'
export { CallForProposals } from './protocol/callForProposals.js'
export { CounterProposal } from './protocol/counterProposal.js'
export {
  ConsumerMessage,
  NegotiationMessage,
  ProviderMessage,
} from './protocol/negotiationMessage.js'
export { Proposal } from './protocol/proposal.js'
export { Reject, RejectReason, rejectReasons } from './protocol/reject.js'
export { SignedAgreement } from './protocol/signedAgreement.js'
export { ChannelRequirements, NegotiatedTool, Terms } from './protocol/terms.js'
export { formatAmount, maxUint256, parseAmount, parseBaseUnits } from './utils/amount.js'
export {
  type Caip10,
  type Caip19,
  caipChainOf,
  isCaip2,
  parseCaip10,
  parseCaip19,
  toCaip10,
  toErc20Caip19,
  toToolRef,
} from './utils/caip.js'
export { canonicalBytes, canonicalJson, contentHash } from './utils/canonical.js'
export { keccak256Bytes, keccakBackend } from './utils/keccak.js'
export {
  AddressSchema,
  Bytes32,
  bigintReplacer,
  HexBytes,
  Signature,
  Uint32,
  Uint64,
  Uint256,
} from './utils/scalars.js'
