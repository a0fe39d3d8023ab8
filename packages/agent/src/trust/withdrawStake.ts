import { providerStakeAbi } from '@gotong/contracts'
import { type Hex, parseEventLogs } from 'viem'
import type { StakeOptions } from './stake.js'
import { type StakeClient, stakeTransaction } from './stakeTransaction.js'

/**
 * Pays the wallet's pending stake behind a tool (or all its tools) back to it, once the delay
 * since its last `unstake` has passed; before that, or with nothing pending, `STAKE_REFUSED`
 * (`WithdrawalLocked`).
 *
 * @example const { withdrawn } = await agent.withdrawStake({ toolId })
 */
export async function withdrawStake(
  client: StakeClient,
  options: StakeOptions = {},
): Promise<{ withdrawn: bigint; transactionHash: Hex }> {
  const transactionHash = await stakeTransaction(client, 'withdraw', [options.toolId ?? 0n])
  const receipt = await client.publicClient.getTransactionReceipt({ hash: transactionHash })
  const [event] = parseEventLogs({
    abi: providerStakeAbi,
    logs: receipt.logs,
    eventName: 'Withdrawn',
  })
  return { withdrawn: event?.args.amount ?? 0n, transactionHash }
}
