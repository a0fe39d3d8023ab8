import type { Address, Hash, PublicClient } from 'viem'
import type { ChannelKey } from '../channel/channelKey.js'
import { type ChannelWallet, keyArg, sendChannelTx } from './internal.js'
import { ensureAllowance } from './openChannel.js'

/**
 * Adds `amount` to a channel's deposit (approving the channels contract first if needed).
 *
 * @example await topUpChannel(wallet, publicClient, { channels, key, amount: 1_000_000n })
 */
export async function topUpChannel(
  wallet: ChannelWallet,
  publicClient: PublicClient,
  parameters: { channels: Address; key: ChannelKey; amount: bigint },
): Promise<{ hash: Hash }> {
  await ensureAllowance(
    wallet,
    publicClient,
    parameters.key.token,
    parameters.channels,
    parameters.amount,
  )
  const { hash } = await sendChannelTx(wallet, publicClient, {
    channels: parameters.channels,
    functionName: 'topUp',
    args: [keyArg(parameters.key), parameters.amount],
    what: 'Topping up the channel',
  })
  return { hash }
}
