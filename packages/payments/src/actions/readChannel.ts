import { paymentChannelsAbi } from '@gotong/contracts'
import type { Address, Hex, PublicClient } from 'viem'
import type { OnChainChannel } from '../payee/createPayee.js'

const statuses = ['none', 'open', 'closing', 'closed'] as const

/**
 * Reads a channel's deposit, claimed amount, close time and status from chain.
 *
 * @example const { deposit, status } = await readChannel(publicClient, { channels, channelId })
 */
export async function readChannel(
  publicClient: PublicClient,
  parameters: { channels: Address; channelId: Hex },
): Promise<OnChainChannel> {
  const channel = await publicClient.readContract({
    address: parameters.channels,
    abi: paymentChannelsAbi,
    functionName: 'getChannel',
    args: [parameters.channelId],
  })
  return {
    deposit: channel.deposit,
    claimed: channel.claimed,
    closesAt: channel.closesAt,
    status: statuses[channel.status] ?? 'none',
  }
}

/**
 * `readChannel` bound to one client and contract, as `createPayee` takes it.
 *
 * @example createPayee({ ..., readChannel: createChannelReader(publicClient, channels) })
 */
export function createChannelReader(publicClient: PublicClient, channels: Address) {
  return (channelId: Hex) => readChannel(publicClient, { channels, channelId })
}
