import { AddressSchema, InvalidInputError, parseWith } from '@gotong/core'
import type { Address } from 'viem'
import { z } from 'zod'
import { DeploymentsChainMismatchError, DeploymentsInvalidError } from './errors.js'

/**
 * Where gotong's contracts live on one chain. Written by `deploy()` / `startDevnet()`, read by
 * every agent that joins the chain. `startBlock` is where indexers begin.
 *
 * The ERC-8004 registries, the receipt feedback gateway and the provider stake are optional, so files written before
 * them still parse (still version 1): code that needs one checks that it is there. On a public
 * chain the registries may be the canonical deployments (`canonicalErc8004Registries`) rather
 * than gotong's own; `validationRegistry` may be absent where none is deployed.
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
    identityRegistry: AddressSchema.optional(),
    reputationRegistry: AddressSchema.optional(),
    validationRegistry: AddressSchema.optional(),
    receiptFeedbackGateway: AddressSchema.optional(),
    providerStake: AddressSchema.optional(),
  }),
})
export type Deployments = z.output<typeof Deployments>

/**
 * The ERC-8004 registries the ecosystem deployed at the same addresses on many chains (from
 * `erc-8004/erc-8004-contracts`, August 2026): one pair on mainnets (Ethereum, Base, Arbitrum,
 * Optimism, Polygon, BSC, Avalanche, Celo, Gnosis, Linea, Mantle, …), another on their testnets
 * (Sepolia, Base Sepolia, …). Neither lists a validation registry. Pass one to `deploy()` as
 * `erc8004` to deploy only the receipt feedback gateway against them.
 *
 * @example await deploy({ walletClient, publicClient, erc8004: canonicalErc8004Registries.testnets })
 */
export const canonicalErc8004Registries = {
  mainnets: {
    identityRegistry: '0x8004A169FB4a3325136EB29fA0ceB6D2e539a432',
    reputationRegistry: '0x8004BAa17C55a88189AE136b182e5fdA19dE9b63',
  },
  testnets: {
    identityRegistry: '0x8004A818BFB912233c491871b3d84c89A494BD9e',
    reputationRegistry: '0x8004B663056A597Dffe9eCcC1965A193B7388713',
  },
} as const satisfies Record<string, { identityRegistry: Address; reputationRegistry: Address }>

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
