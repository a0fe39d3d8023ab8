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
