import { type Address, getAddress, type Hex, isAddress } from 'viem'
import { z } from 'zod'
import { maxUint256 } from './amount.js'

const uint = (max: bigint, what: string) =>
  z
    .union([z.bigint(), z.string().regex(/^(0|[1-9][0-9]{0,77})$/, `${what} as a decimal string`)])
    .transform((value) => BigInt(value))
    .pipe(z.bigint().min(0n, `${what} must not be negative`).max(max, `${what} is too large`))

/** A uint256 as bigint; on the wire a decimal string (JSON has no bigint). */
export const Uint256 = uint(maxUint256, 'uint256')
/** A uint64 as bigint; on the wire a decimal string. */
export const Uint64 = uint(2n ** 64n - 1n, 'uint64')
/** A uint32 as a plain number. */
export const Uint32 = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1)

/** An EVM address in any case, checked and returned checksummed. */
export const AddressSchema = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), 'must be a 20-byte hex address')
  .transform((value) => getAddress(value) as Address)

/** 32 bytes as 0x-prefixed hex, returned lowercase. */
export const Bytes32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'must be 32 bytes of hex')
  .transform((value) => value.toLowerCase() as Hex)

/** Any 0x-prefixed even-length hex, returned lowercase. */
export const HexBytes = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})*$/, 'must be 0x-prefixed hex bytes')
  .transform((value) => value.toLowerCase() as Hex)

/** A 65-byte secp256k1 signature (r, s, v) as hex. */
export const Signature = z
  .string()
  .regex(/^0x[0-9a-fA-F]{130}$/, 'must be a 65-byte signature')
  .transform((value) => value.toLowerCase() as Hex)

/**
 * JSON.stringify replacer that writes bigints as decimal strings, the wire form every
 * gotong schema accepts back.
 *
 * @example JSON.stringify(voucher, bigintReplacer)
 */
export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}
