import { providerStakeAbi } from '@gotong/contracts'
import type { Hex } from 'viem'
import { type Amount, toBaseUnits } from '../agent/amounts.js'
import type { StakeOptions } from './stake.js'
import { providerStakeOf, type StakeClient, stakeTransaction } from './stakeTransaction.js'

/**
 * Asks `amount` of the wallet's stake behind a tool (or all its tools) back: it stops counting
 * in listings at once, stays slashable, and `withdrawStake` pays it out once `unlockAt` (unix
 * seconds) has passed. A new request restarts the delay for everything pending.
 *
 * @example const { unlockAt } = await agent.unstake('100', { toolId })
 */
export async function unstake(
  client: StakeClient,
  amount: Amount,
  options: StakeOptions = {},
): Promise<{ unlockAt: bigint; transactionHash: Hex }> {
  const toolId = options.toolId ?? 0n
  const transactionHash = await stakeTransaction(client, 'requestWithdrawal', [
    toolId,
    toBaseUnits(amount),
  ])
  const bucket = await client.publicClient.readContract({
    address: providerStakeOf(client),
    abi: providerStakeAbi,
    functionName: 'bucketOf',
    args: [client.walletClient.account.address, toolId],
  })
  return { unlockAt: bucket.unlockAt, transactionHash }
}
