import type { Address, Hash, Hex, PublicClient } from 'viem'
import type { ChannelKey } from '../channel/channelKey.js'
import { type ChannelWallet, keyArg, sendChannelTx } from './internal.js'

export type ClaimChannelParameters = {
  channels: Address
  key: ChannelKey
  voucher: { cumulativeAmount: bigint; calls: bigint; termsHash: Hex; envelopeHash: Hex }
  signature: Hex
  /** `true`: settle and close at once (`cooperativeClose`), refunding the rest to the payer. */
  close?: boolean
}

/**
 * The payee cashes a voucher: `claim` pays the difference to what was claimed before and keeps
 * the channel open; with `close`, `cooperativeClose` also ends the channel.
 *
 * @example await claimChannel(wallet, publicClient, { channels, key, voucher, signature })
 */
export async function claimChannel(
  wallet: ChannelWallet,
  publicClient: PublicClient,
  parameters: ClaimChannelParameters,
): Promise<{ hash: Hash }> {
  const { voucher } = parameters
  const { hash } = await sendChannelTx(wallet, publicClient, {
    channels: parameters.channels,
    functionName: parameters.close ? 'cooperativeClose' : 'claim',
    args: [
      keyArg(parameters.key),
      voucher.cumulativeAmount,
      voucher.calls,
      voucher.termsHash,
      voucher.envelopeHash,
      parameters.signature,
    ],
    what: parameters.close ? 'Closing the channel' : 'Claiming the voucher',
  })
  return { hash }
}
