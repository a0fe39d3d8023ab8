import type { Address, Hash, PublicClient } from 'viem'
import type { ChannelKey } from '../channel/channelKey.js'
import { type ChannelWallet, keyArg, sendChannelTx } from './internal.js'

/**
 * After the challenge period, closes a channel and refunds the unclaimed deposit to the payer.
 * Anyone may send it.
 *
 * @example await finalizeChannel(wallet, publicClient, { channels, key })
 */
export async function finalizeChannel(
  wallet: ChannelWallet,
  publicClient: PublicClient,
  parameters: { channels: Address; key: ChannelKey },
): Promise<{ hash: Hash }> {
  const { hash } = await sendChannelTx(wallet, publicClient, {
    channels: parameters.channels,
    functionName: 'finalize',
    args: [keyArg(parameters.key)],
    what: 'Finalizing the channel',
  })
  return { hash }
}
