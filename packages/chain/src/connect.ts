import type { Connection, ConnectParameters } from './connection.js'
import { createClients } from './createClients.js'
import { parseDeployments } from './deployments.js'
import { getChainId } from './getChainId.js'

/**
 * Connects to any EVM chain where gotong is deployed: checks the node answers and that the
 * deployments belong to its chain, then returns viem clients.
 *
 * @throws RpcUnreachableError, DeploymentsChainMismatchError
 * @example const { publicClient, walletClient } = await connect({ rpcUrl, privateKey, deployments })
 */
export async function connect(parameters: ConnectParameters): Promise<Connection> {
  const chainId = await getChainId(parameters.rpcUrl)
  const deployments = parseDeployments(parameters.deployments, { chainId })
  return { ...createClients({ ...parameters, chainId }), deployments }
}
