import { AddressSchema, InvalidInputError, parseWith } from '@gotong/core'
import { z } from 'zod'
import { DeploymentsChainMismatchError, DeploymentsInvalidError } from './errors.js'

/**
 * Where gotong's contracts live on one chain. Written by `deploy()` / `startDevnet()`, read by
 * every agent that joins the chain. `startBlock` is where indexers begin.
 */
export const Deployments = z.strictObject({
  version: z.literal(1),
  chainId: z.number().int().positive(),
  startBlock: z.number().int().nonnegative(),
  contracts: z.strictObject({
    gotongToken: AddressSchema,
    accessPass: AddressSchema,
    toolDirectory: AddressSchema,
    paymentChannels: AddressSchema,
    alwaysDenyPredicate: AddressSchema,
  }),
})
export type Deployments = z.output<typeof Deployments>

/** The names of gotong's deployed contracts. */
export type ContractName = keyof Deployments['contracts']

/**
 * Validates a deployments value (from a file, a flag or a message), optionally checking that it
 * belongs to `chainId`.
 *
 * @example const deployments = parseDeployments(JSON.parse(text), { chainId: 31337 })
 */
export function parseDeployments(
  value: unknown,
  options: { chainId?: number; source?: string } = {},
): Deployments {
  const source = options.source ?? 'the deployments value'
  let deployments: Deployments
  try {
    deployments = parseWith(Deployments, value, 'deployments')
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error
    throw new DeploymentsInvalidError(source, error.shortMessage, error)
  }
  if (options.chainId !== undefined && deployments.chainId !== options.chainId)
    throw new DeploymentsChainMismatchError(deployments.chainId, options.chainId, options.source)
  return deployments
}
