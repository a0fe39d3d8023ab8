import { providerStakeAbi } from '@gotong/contracts'
import { type Hex, parseEventLogs } from 'viem'
import type { AgentContext } from '../agent/agentContext.js'
import type { StakeOptions } from './stake.js'
import { stakeTransaction } from './stakeTransaction.js'

/**
 * Pays the agent's pending stake behind a tool (or all its tools) back to its wallet, once the
 * delay since its last `unstake` has passed; before that, or with nothing pending,
 * `STAKE_REFUSED` (`WithdrawalLocked`).
 *
 * @example const { withdrawn } = await agent.withdrawStake({ toolId })
 */
export async function withdrawStake(
  agent: AgentContext,
  options: StakeOptions = {},
): Promise<{ withdrawn: bigint; transactionHash: Hex }> {
  const transactionHash = await stakeTransaction(agent, 'withdraw', [options.toolId ?? 0n])
  const receipt = await agent.publicClient.getTransactionReceipt({ hash: transactionHash })
  const [event] = parseEventLogs({
    abi: providerStakeAbi,
    logs: receipt.logs,
    eventName: 'Withdrawn',
  })
  return { withdrawn: event?.args.amount ?? 0n, transactionHash }
}
