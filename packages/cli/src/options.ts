import { InvalidArgumentError } from 'commander'
import { z } from 'zod'

const port = z.coerce.number().int().min(0).max(65_535)
const count = z.coerce.number().int().min(1).max(1_000)

/** Commander parser for a TCP port (0 = any free port), validated with zod. */
export function parsePort(value: string): number {
  const result = port.safeParse(value)
  if (!result.success) throw new InvalidArgumentError('expected a port number from 0 to 65535.')
  return result.data
}

/** Commander parser for a positive count up to 1,000. */
export function parseCount(value: string): number {
  const result = count.safeParse(value)
  if (!result.success) throw new InvalidArgumentError('expected a whole number from 1 to 1000.')
  return result.data
}
