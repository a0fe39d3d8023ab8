export { type Amount, type BudgetOption, toBaseUnits } from './agent/amounts.js'
export type {
  Agent,
  CallOptions,
  CreateAgentParameters,
  NegotiateOptions,
  Network,
  RunOptions,
  ServedTool,
  ServeOptions,
  ToolkitOptions,
} from './agent/types.js'
export { fingerprintOf } from './consumer/approveTool.js'
export {
  createX402Tool,
  type X402PayOptions,
  X402Tool,
  type X402ToolOptions,
} from './consumer/createX402Tool.js'
export { failureOf, type ToolFailure } from './consumer/failureOf.js'
export { langChainToolName, toLangChainTool } from './consumer/toLangChainTool.js'
export type {
  CallResult,
  ChannelCallResult,
  ConsumerEvent,
  ListingPolicy,
  PaidReceipt,
  RailPolicy,
  Relationship,
  X402CallResult,
} from './consumer/types.js'
export { createAgent } from './createAgent.js'
export { AgentError, type AgentErrorCode } from './errors.js'
export type { AgentEventListener, AgentEvents } from './events/createAgentEvents.js'
export { feedbackValue } from './identity/feedbackValue.js'
export type {
  AgentIdentity,
  FeedbackOutcome,
  FeedbackPolicy,
  FeedbackResult,
  GiveFeedbackOptions,
  IdentityOptions,
  ReputationScoring,
} from './identity/types.js'
export { type ModelSource, resolveModel } from './llm/resolveModel.js'
export { type BuildManifestParameters, buildManifest } from './provider/buildManifest.js'
export { deployGate, type Gate } from './provider/deployGate.js'
export { createGateChecker, type GateCheckerParameters } from './provider/gate.js'
export { CallRequest, callRequestHash, FundRequest } from './provider/hostTool.js'
export { defineTool, type Tool, type ToolContext, ToolInputError } from './tool/defineTool.js'
export { fromLangChainTool } from './tool/fromLangChainTool.js'
export { agreedManifest, toolDefinitionHash } from './trust/agreedManifest.js'
export type { AgentEvidence, AgentTrust, TrustOptions } from './trust/createTrust.js'
export { declareDeterministic } from './trust/declareDeterministic.js'
export {
  type CreateEvidenceStoreParameters,
  createEvidenceStore,
  type Equivocation,
  Evidence,
  type EvidenceStore,
} from './trust/evidenceStore.js'
export {
  createEvidenceKeeper,
  type EquivocationOutcome,
  type EquivocationPolicy,
  type EvidenceKeeper,
  type EvidenceKeeperParameters,
} from './trust/keepEvidence.js'
export {
  type RecordValidationParameters,
  type RecordValidationReturnType,
  recordValidation,
  spotCheckTag,
} from './trust/recordValidation.js'
export {
  type ReportEquivocationErrorType,
  type ReportEquivocationParameters,
  type ReportEquivocationReturnType,
  reportEquivocation,
} from './trust/reportEquivocation.js'
export {
  createSpotChecker,
  type SpotCheckAnswer,
  type SpotChecker,
  type SpotCheckOptions,
  type SpotCheckResult,
  type SpotCheckVerdict,
  type TrustStats,
} from './trust/spotCheck.js'
export { type StakeOptions, stake } from './trust/stake.js'
export { type StakeClient, stakeClientOf } from './trust/stakeTransaction.js'
export { unstake } from './trust/unstake.js'
export { withdrawStake } from './trust/withdrawStake.js'
export { typedDataSigner, verifyAgreementFast } from './typedSigner.js'
