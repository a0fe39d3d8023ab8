import type { Address, Hash, PublicClient } from 'viem'
import type { ChannelKey } from '../channel/channelKey.js'
import { type ChannelWallet, keyArg, sendChannelTx } from './internal.js'

/**
 * The payer starts closing a channel: the payee has the challenge period to claim, then
 * `finalizeChannel` returns the rest.
 *
 * @example await startCloseChannel(wallet, publicClient, { channels, key })
 */
export async function startCloseChannel(
  wallet: ChannelWallet,
  publicClient: PublicClient,
  parameters: { channels: Address; key: ChannelKey },
): Promise<{ hash: Hash }> {
  const { hash } = await sendChannelTx(wallet, publicClient, {
    channels: parameters.channels,
    functionName: 'startClose',
    args: [keyArg(parameters.key)],
    what: 'Starting to close the channel',
  })
  return { hash }
}
