import { AddressSchema } from '@gotong/core'
import { z } from 'zod'

const positive = (what: string, max: bigint) =>
  z
    .union([
      z.bigint(),
      z.number().int().nonnegative(),
      z.string().regex(/^[1-9][0-9]{0,77}$/, `${what} as a decimal string`),
    ])
    .transform((value) => BigInt(value))
    .pipe(z.bigint().min(1n, `${what} starts at 1`).max(max, `${what} is too large`))

/** A tool id: uint256, from 1 (bigint, safe integer or decimal string). */
export const ToolIdInput = positive('a tool id', 2n ** 256n - 1n)
/** A tool version: uint64, from 1. */
export const VersionInput = positive('a version', 2n ** 64n - 1n)
/** The directory's address. */
export const DirectoryAddress = AddressSchema
/** A metadata URI as ERC-8257 caps it: 1 to 2,048 bytes. */
export const MetadataUri = z.string().refine((value) => {
  const size = new TextEncoder().encode(value).length
  return size >= 1 && size <= 2048
}, 'must be 1 to 2,048 bytes')
