export {
  type A2aSkillTool,
  type BuildAgentCardParameters,
  buildAgentCard,
} from './a2a/buildAgentCard.js'
export { type A2aConnection, connectA2a } from './a2a/connectA2a.js'
export {
  type A2aReply,
  type A2aServer,
  type CreateA2aServerParameters,
  createA2aServer,
} from './a2a/createA2aServer.js'
export { createTaskStore } from './a2a/createTaskStore.js'
export {
  type CreateToolExecutorParameters,
  createToolExecutor,
  type PaidToolCall,
} from './a2a/createToolExecutor.js'
export { A2aError, type A2aErrorCode } from './a2a/errors.js'
export {
  A2aToolTerms,
  GotongPaymentsParams,
  gotongMetadata,
  gotongPaymentsUri,
  PaymentTerms,
  ToolIdString,
} from './a2a/gotongPayments.js'
export { readGotongPayments } from './a2a/readGotongPayments.js'
export { readToolTask, type ToolTaskAnswer } from './a2a/readToolTask.js'
export { A2aToolCall, A2aToolResult } from './a2a/toolCall.js'
export { toolCallMessage } from './a2a/toolCallMessage.js'
export {
  type BuildAgentRegistrationParameters,
  buildAgentRegistration,
  gotongServiceNames,
} from './erc8004/buildAgentRegistration.js'
export { Erc8004Error, type Erc8004ErrorCode } from './erc8004/errors.js'
export { type FindAgentIdsParameters, findAgentIds } from './erc8004/findAgentIds.js'
export {
  type FeedbackChannelKey,
  type FeedbackContent,
  type GiveReceiptFeedbackParameters,
  type GiveReceiptFeedbackReturnType,
  giveReceiptFeedback,
} from './erc8004/giveReceiptFeedback.js'
export type { Erc8004WalletClient } from './erc8004/internal/transact.js'
export {
  agentIdentityOf,
  manifestAgentIdentity,
  manifestAgentIdentityKey,
} from './erc8004/manifestAgentIdentity.js'
export {
  type ReadAgentParameters,
  type ReadAgentReturnType,
  readAgent,
} from './erc8004/readAgent.js'
export {
  type ReadReputationParameters,
  type ReadReputationReturnType,
  type ReputationValue,
  readReputation,
} from './erc8004/readReputation.js'
export {
  type RegisterAgentIdentityParameters,
  type RegisterAgentIdentityReturnType,
  registerAgentIdentity,
} from './erc8004/registerAgentIdentity.js'
export {
  AgentRegistrationFile,
  type AgentRegistrationFileInput,
  AgentRegistryId,
  agentRegistrationPath,
  agentRegistryOf,
  erc8004RegistrationType,
  parseAgentRegistry,
  RegistrationEntry,
  RegistrationService,
} from './erc8004/registrationFile.js'
export { type ResolveAgentUriOptions, resolveAgentUri } from './erc8004/resolveAgentUri.js'
export { type SetAgentUriParameters, setAgentUri } from './erc8004/setAgentUri.js'
export {
  type AgentWalletSigner,
  agentWalletSetTypes,
  erc8004IdentityDomain,
  type SetAgentWalletParameters,
  setAgentWallet,
} from './erc8004/setAgentWallet.js'
export { toAgentDataUri } from './erc8004/toAgentDataUri.js'
