export { connect } from './connect.js'
export type { Connection, ConnectParameters } from './connection.js'
export { type CreateClientsParameters, chainFor, createClients } from './createClients.js'
export {
  type DeployErrorType,
  type DeployParameters,
  type DeployReturnType,
  defaultStakeWithdrawalDelay,
  deploy,
  type Erc8004Registries,
  gotongTokenDecimals,
  gotongTokenName,
  gotongTokenSymbol,
} from './deploy.js'
export {
  type ContractName,
  canonicalErc8004Registries,
  Deployments,
  parseDeployments,
} from './deployments.js'
export {
  AnvilBinaryMissingError,
  DeployFailedError,
  DeploymentsChainMismatchError,
  DeploymentsInvalidError,
  DevnetPortInUseError,
  DevnetStartError,
  RpcUnreachableError,
} from './errors.js'
export { getChainId } from './getChainId.js'
