import { toolDirectoryAbi } from '@gotong/contracts'
import { getContractEvents } from 'viem/actions'
import type { AgentContext } from '../agent/agentContext.js'

/**
 * The ids of every tool this agent's account registered in the directory, deregistered ones
 * included: one `eth_getLogs` on `ToolRegistered` filtered by its (indexed) creator. A provider
 * with none beyond what it serves now needs no index of every other tool to find its own.
 */
export async function registeredToolIds(agent: AgentContext): Promise<bigint[]> {
  const logs = await getContractEvents(agent.publicClient, {
    address: agent.contracts.toolDirectory,
    abi: toolDirectoryAbi,
    eventName: 'ToolRegistered',
    args: { creator: agent.account.address },
    fromBlock: BigInt(agent.parameters.network.deployments.startBlock),
    toBlock: 'latest',
  })
  return logs.map((log) => log.args.toolId!)
}
