import { AddressSchema, type InvalidInputError, parseWith } from '@gotong/core'
import { type Address, type Hex, parseAbi } from 'viem'
import { readContract } from 'viem/actions'
import { z } from 'zod'
import type { ToolDeregisteredError, ToolNotFoundError } from '../errors.js'
import type { DirectoryReadClient } from '../internal/readClient.js'
import { DirectoryAddress, ToolIdInput } from '../internal/schemas.js'
import { getTool } from './getTool.js'

/** ERC-8257 `IAccessPredicate`, as any predicate implements it. */
export const accessPredicateAbi = parseAbi([
  'struct AccessRequirement { bytes4 kind; bytes data; string label; }',
  'function hasAccess(uint256 toolId, address account, bytes data) view returns (bool)',
  'function name() view returns (string)',
  'function getRequirements(uint256 toolId) view returns (AccessRequirement[] requirements, uint8 logic)',
])

/** Requirement kinds (ERC-165-style ids) that gotong knows how to describe. */
export const requirementKinds = {
  '0xbdf8c428': 'erc721Holding',
  '0xcb429230': 'erc1155Holding',
  '0x44387cc2': 'subscription',
  '0x53aeebd0': 'erc20MinBalance',
  '0x3e9c155d': 'accessPaused',
} as const satisfies Record<Hex, string>

/** What `getAccessRequirements()` accepts. */
export const GetAccessRequirementsParameters = z.strictObject({
  /** The ToolDirectory. */
  address: DirectoryAddress,
  toolId: ToolIdInput,
  /** The tool's predicate if already known (saves reading the tool). */
  predicate: AddressSchema.nullish(),
  /** Read at this block (the latest by default). */
  blockNumber: z.bigint().nonnegative().optional(),
})
export type GetAccessRequirementsParameters = z.input<typeof GetAccessRequirementsParameters>

/** One requirement as the predicate reports it; `kindName` for the kinds gotong knows. */
export type AccessRequirement = {
  kind: Hex
  kindName: (typeof requirementKinds)[keyof typeof requirementKinds] | undefined
  data: Hex
  label: string
}

export type GetAccessRequirementsReturnType =
  | { predicate: null; open: true }
  | {
      predicate: Address
      open: false
      /** The predicate's `name()`, if it answered. */
      name: string | undefined
      /** What it takes to pass (advisory: `hasAccess` decides); undefined if it did not answer. */
      requirements: AccessRequirement[] | undefined
      logic: 'AND' | 'OR' | undefined
    }

export type GetAccessRequirementsErrorType =
  | InvalidInputError
  | ToolNotFoundError
  | ToolDeregisteredError

/**
 * What it takes to use a tool: its predicate's name and `getRequirements` (ERC-8257), or
 * `open` when it has none. A predicate that does not answer leaves the fields undefined.
 *
 * @example
 * const access = await getAccessRequirements(publicClient, { address: directory, toolId })
 * if (!access.open) console.log(access.requirements?.map((r) => r.label))
 */
export async function getAccessRequirements(
  client: DirectoryReadClient,
  parameters: GetAccessRequirementsParameters,
): Promise<GetAccessRequirementsReturnType> {
  const args = parseWith(
    GetAccessRequirementsParameters,
    parameters,
    'getAccessRequirements parameters',
  )
  const predicate =
    args.predicate === undefined ? (await getTool(client, args)).accessPredicate : args.predicate
  if (predicate === null) return { predicate: null, open: true }
  const at = args.blockNumber === undefined ? {} : { blockNumber: args.blockNumber }
  const read = { address: predicate, abi: accessPredicateAbi, ...at } as const
  const [name, requirements] = await Promise.all([
    readContract(client, { ...read, functionName: 'name' }).catch(() => undefined),
    readContract(client, {
      ...read,
      functionName: 'getRequirements',
      args: [args.toolId],
    }).catch(() => undefined),
  ])
  return {
    predicate,
    open: false,
    name,
    requirements: requirements?.[0].map((r) => ({
      kind: r.kind,
      kindName: requirementKinds[r.kind as keyof typeof requirementKinds],
      data: r.data,
      label: r.label,
    })),
    logic: requirements ? (requirements[1] === 1 ? 'OR' : 'AND') : undefined,
  }
}
