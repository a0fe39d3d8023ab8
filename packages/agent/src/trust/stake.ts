import { gotongTokenAbi } from '@gotong/contracts'
import type { Hex } from 'viem'
import { type Amount, toBaseUnits } from '../agent/amounts.js'
import { AgentError } from '../errors.js'
import { inQueue, providerStakeOf, type StakeClient, stakeTransaction } from './stakeTransaction.js'

export type StakeOptions = {
  /** The tool the stake backs; without it, every tool of the provider (tool id 0). */
  toolId?: bigint | undefined
}

/**
 * Bonds `amount` of gUSD ("250" or base units) at ProviderStake behind one of the wallet's
 * tools, or behind all of them: consumers see it in listings, can require a minimum
 * (`minStake`), and it is slashed if the provider answers one request to a deterministic tool
 * two ways. It comes back through `unstake` and, after the contract's delay, `withdrawStake`.
 * `agent.stake(amount, options)` is this with the agent's wallet.
 *
 * @example await stake({ walletClient, publicClient, contracts }, '250', { toolId })
 */
export async function stake(
  client: StakeClient,
  amount: Amount,
  options: StakeOptions = {},
): Promise<{ staked: bigint; transactionHash: Hex }> {
  const value = toBaseUnits(amount)
  if (value <= 0n) throw new AgentError('STAKE_REFUSED', 'A stake must be more than zero.')
  const spender = providerStakeOf(client)
  const { walletClient, publicClient } = client
  await inQueue(client, async () => {
    const hash = await walletClient.writeContract({
      address: client.contracts.gotongToken,
      abi: gotongTokenAbi,
      functionName: 'approve',
      args: [spender, value],
      account: walletClient.account,
      chain: walletClient.chain,
    })
    await publicClient.waitForTransactionReceipt({ hash })
  })
  const transactionHash = await stakeTransaction(client, 'stake', [options.toolId ?? 0n, value])
  return { staked: value, transactionHash }
}
