import { gotongTokenAbi } from '@gotong/contracts'
import type { Hex } from 'viem'
import type { AgentContext } from '../agent/agentContext.js'
import { type Amount, toBaseUnits } from '../agent/amounts.js'
import { AgentError } from '../errors.js'
import { providerStakeOf, stakeTransaction } from './stakeTransaction.js'

export type StakeOptions = {
  /** The tool the stake backs; without it, every tool of the agent (tool id 0). */
  toolId?: bigint | undefined
}

/**
 * Bonds `amount` of gUSD ("250" or base units) at ProviderStake behind one of the agent's tools,
 * or behind all of them: consumers see it in listings, can require a minimum (`minStake`), and
 * it is slashed if the agent answers one request to a deterministic tool two ways. It comes
 * back through `unstake` and, after the contract's delay, `withdrawStake`.
 *
 * @example await agent.stake('250', { toolId: served.toolId })
 */
export async function stake(
  agent: AgentContext,
  amount: Amount,
  options: StakeOptions = {},
): Promise<{ staked: bigint; transactionHash: Hex }> {
  const value = toBaseUnits(amount)
  if (value <= 0n) throw new AgentError('STAKE_REFUSED', 'A stake must be more than zero.')
  const spender = providerStakeOf(agent)
  await agent.consumer.queue(async () => {
    const hash = await agent.wallet.writeContract({
      address: agent.contracts.gotongToken,
      abi: gotongTokenAbi,
      functionName: 'approve',
      args: [spender, value],
      account: agent.wallet.account,
      chain: agent.wallet.chain,
    })
    await agent.publicClient.waitForTransactionReceipt({ hash })
  })
  const transactionHash = await stakeTransaction(agent, 'stake', [options.toolId ?? 0n, value])
  return { staked: value, transactionHash }
}
