import { AddressSchema, Bytes32, Signature, Voucher } from '@gotong/core'
import { type Address, getAddress, type Hex } from 'viem'
import { z } from 'zod'
import { concatBytes, fromHex, toHex, word } from '../crypto/hex.js'
import { keccak256Bytes } from '../crypto/keccak.js'

/**
 * The immutable parameters of a channel. The contract stores only amounts and status; the key
 * travels with every call and hashes to the channel id, so a payee can check who pays, who is
 * paid and in which token without trusting anyone.
 */
export const ChannelKey = z.strictObject({
  payer: AddressSchema,
  payee: AddressSchema,
  token: AddressSchema,
  challengePeriod: z
    .number()
    .int()
    .min(1)
    .max(30 * 24 * 3600),
  salt: Bytes32,
})
export type ChannelKey = z.output<typeof ChannelKey>

/**
 * The channel id the contract derives from a key:
 * `keccak256(abi.encode(chainId, channelsContract, payer, payee, token, challengePeriod, salt))`.
 *
 * @example const channelId = channelIdOf(key, { chainId: 31337, channels })
 */
export function channelIdOf(
  key: ChannelKey,
  deployment: { chainId: number; channels: Address },
): Hex {
  return toHex(
    keccak256Bytes(
      concatBytes([
        word(BigInt(deployment.chainId)),
        word(BigInt(deployment.channels)),
        word(BigInt(key.payer)),
        word(BigInt(key.payee)),
        word(BigInt(key.token)),
        word(BigInt(key.challengePeriod)),
        fromHex(key.salt),
      ]),
    ),
  )
}

/**
 * What a payer attaches to a paid call: the voucher, its signature, and the chain and channels
 * contract it was signed for (so a payee on another chain can say so instead of failing the
 * signature check). Like x402's payment payload, it names its network.
 */
export const VoucherPayment = z.strictObject({
  scheme: z.literal('gotong-channel'),
  chainId: z.number().int().positive(),
  channels: AddressSchema,
  voucher: Voucher,
  signature: Signature,
})
export type VoucherPayment = z.output<typeof VoucherPayment>

/** Lowercase-insensitive address equality. */
export function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}

/** Checksummed address. */
export const checksum = (address: string): Address => getAddress(address)
