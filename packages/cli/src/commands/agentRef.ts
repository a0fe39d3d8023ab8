import type { Connection } from '@gotong/chain'
import { InvalidInputError } from '@gotong/core'
import { Erc8004Error, findAgentIds } from '@gotong/identity'
import { type Address, getAddress } from 'viem'

/** The identity registry of the deployment, or the error saying the deployment has none. */
export function identityRegistryOf(chain: Connection): Address {
  const registry = chain.deployments.contracts.identityRegistry
  if (!registry)
    throw new Erc8004Error(
      'ERC8004_NOT_DEPLOYED',
      'This deployment names no ERC-8004 identity registry.',
      {
        metaMessages: [
          'Start a new devnet (`gotong devnet` deploys the registries), or name the canonical ones in the deployments file.',
        ],
      },
    )
  return registry
}

/**
 * The agents an argument names: an agent id, or an address, whose agents are those it owns and
 * those whose wallet it is (lowest id first).
 *
 * @example const ids = await resolveAgentRef(chain, '0x7099…') // [3n]
 */
export async function resolveAgentRef(chain: Connection, ref: string): Promise<bigint[]> {
  const identityRegistry = identityRegistryOf(chain)
  if (/^[0-9]{1,78}$/.test(ref)) return [BigInt(ref)]
  if (!/^0x[0-9a-fA-F]{40}$/.test(ref))
    throw new InvalidInputError('agent', [
      {
        rule: 'invalid_format',
        path: '',
        message: `expected an agent id or an address, not ${ref}`,
      },
    ])
  const address = getAddress(ref)
  const fromBlock = BigInt(chain.deployments.startBlock)
  const [owned, walleted] = await Promise.all([
    findAgentIds(chain.publicClient, { identityRegistry, owner: address, fromBlock }),
    findAgentIds(chain.publicClient, { identityRegistry, wallet: address, fromBlock }),
  ])
  return [...new Set([...owned, ...walleted])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}
