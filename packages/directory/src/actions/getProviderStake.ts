import { providerStakeAbi } from '@gotong/contracts'
import { AddressSchema, Bytes32, type InvalidInputError, parseWith } from '@gotong/core'
import { readContract } from 'viem/actions'
import { z } from 'zod'
import type { DirectoryReadClient } from '../internal/readClient.js'
import { ToolIdInput } from '../internal/schemas.js'

/** What `getProviderStake()` accepts. */
export const GetProviderStakeParameters = z.strictObject({
  /** The ProviderStake contract (`deployments.contracts.providerStake`). */
  address: AddressSchema,
  /** The tool's creator: it signs receipts and owns the stake. */
  provider: AddressSchema,
  toolId: ToolIdInput,
  /** The listed version's manifest hash: also asks whether the provider declared it deterministic. */
  manifestHash: Bytes32.optional(),
})
export type GetProviderStakeParameters = z.input<typeof GetProviderStakeParameters>

export type GetProviderStakeReturnType = {
  /** Stake behind the tool and behind all the provider's tools, less what was asked back. */
  stake: bigint
  /** Whether the provider declared the version deterministic on chain (slashable if it lies). */
  declaredDeterministic: boolean | undefined
}
export type GetProviderStakeErrorType = InvalidInputError

/**
 * The stake a provider keeps behind one of its tools at ProviderStake, read from the chain (not
 * from the index: stake comes and goes outside the directory's events).
 *
 * @example
 * const { stake } = await getProviderStake(client, { address: contracts.providerStake, provider: listing.creator, toolId: listing.toolId })
 */
export async function getProviderStake(
  client: DirectoryReadClient,
  parameters: GetProviderStakeParameters,
): Promise<GetProviderStakeReturnType> {
  const { address, provider, toolId, manifestHash } = parseWith(
    GetProviderStakeParameters,
    parameters,
    'getProviderStake',
  )
  const [stake, declaredDeterministic] = await Promise.all([
    readContract(client, {
      address,
      abi: providerStakeAbi,
      functionName: 'stakeOf',
      args: [provider, toolId],
    }),
    manifestHash
      ? readContract(client, {
          address,
          abi: providerStakeAbi,
          functionName: 'isDeterministic',
          args: [provider, manifestHash],
        })
      : undefined,
  ])
  return { stake, declaredDeterministic }
}
