export {
  type CheckAccessErrorType,
  CheckAccessParameters,
  type CheckAccessReturnType,
  checkAccess,
} from './actions/checkAccess.js'
export {
  type DeregisterToolErrorType,
  DeregisterToolParameters,
  type DeregisterToolReturnType,
  deregisterTool,
} from './actions/deregisterTool.js'
export {
  type AccessRequirement,
  accessPredicateAbi,
  type GetAccessRequirementsErrorType,
  GetAccessRequirementsParameters,
  type GetAccessRequirementsReturnType,
  getAccessRequirements,
  requirementKinds,
} from './actions/getAccessRequirements.js'
export {
  type GetProviderStakeErrorType,
  GetProviderStakeParameters,
  type GetProviderStakeReturnType,
  getProviderStake,
} from './actions/getProviderStake.js'
export {
  type GetToolErrorType,
  GetToolParameters,
  type GetToolReturnType,
  getTool,
} from './actions/getTool.js'
export {
  type PublishToolErrorType,
  PublishToolParameters,
  type PublishToolReturnType,
  publishTool,
} from './actions/publishTool.js'
export {
  type PublishVersionErrorType,
  PublishVersionParameters,
  type PublishVersionReturnType,
  publishVersion,
} from './actions/publishVersion.js'
export {
  type RegisterAgentErrorType,
  RegisterAgentParameters,
  type RegisterAgentReturnType,
  registerAgent,
} from './actions/registerAgent.js'
export {
  type SetAccessErrorType,
  SetAccessParameters,
  type SetAccessReturnType,
  setAccess,
} from './actions/setAccess.js'
export {
  AccountMismatchError,
  ChainReadError,
  DirectoryRevertedError,
  IndexBehindError,
  IndexMismatchError,
  InvalidAccessPredicateError,
  LogFetchError,
  ManifestTooLargeError,
  NotToolCreatorError,
  RemoteIndexError,
  ToolDeregisteredError,
  ToolNotFoundError,
  TransactionRevertedError,
  VersionNotFoundError,
} from './errors.js'
export type { DirectoryReadClient } from './internal/readClient.js'
export type { DirectoryWalletClient } from './internal/transact.js'
export { formatToolRef, type ParsedToolRef, parseToolRef } from './toolRef.js'
export {
  type ManifestVerification,
  maxManifestBytes,
  type UnverifiedReason,
  unverifiedReasons,
  type VerifyManifestParameters,
  verifyManifest,
} from './verifyManifest.js'
export { wellKnownManifestUri } from './wellKnownManifestUri.js'
