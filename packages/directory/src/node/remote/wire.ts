import type { AccessHints, ToolManifest, ValidationIssue } from '@gotong/core'
import type { Address, Hex } from 'viem'
import { z } from 'zod'
import { requirementKinds } from '../../actions/getAccessRequirements.js'
import { unverifiedReasons } from '../../verifyManifest.js'
import type { Listing } from '../listing.js'
import type { SearchResult, VersionRecord } from '../searchIndex.js'

/**
 * The shared index's HTTP answers. JSON has no bigint: the indexer writes every bigint as a
 * decimal string (`toWireJson`), and these schemas turn exactly the fields that are bigints in
 * `SearchResult` back into bigints, so a remote search deep-equals a local one.
 */
const big = z
  .string()
  .regex(/^-?(0|[1-9][0-9]*)$/, 'a decimal integer')
  .transform((value) => BigInt(value))
const hex = z.string().regex(/^0x[0-9a-fA-F]*$/, 'hex') as unknown as z.ZodType<Hex>
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'an address') as unknown as z.ZodType<Address>
/** Manifests and hints are passed through as the indexer parsed them from the manifest bytes. */
const asIs = <T>() => z.custom<T>((value) => typeof value === 'object' && value !== null)

const Unverified = z.object({
  reason: z.enum(unverifiedReasons),
  message: z.string(),
  issues: z.array(asIs<ValidationIssue>()).optional(),
})

const Requirements = z.union([
  z.object({ predicate: z.null(), open: z.literal(true) }),
  z.object({
    predicate: address,
    open: z.literal(false),
    name: z.string().optional(),
    requirements: z
      .array(
        z.object({
          kind: hex,
          kindName: z.enum(Object.values(requirementKinds)).optional(),
          data: hex,
          label: z.string(),
        }),
      )
      .optional(),
    logic: z.enum(['AND', 'OR']).optional(),
  }),
])

const Check = z.object({
  account: address,
  status: z.enum(['granted', 'denied', 'predicate_error']),
  ok: z.boolean(),
  granted: z.boolean(),
})

const WireListing = z.object({
  toolId: big,
  ref: z.string(),
  creator: address,
  metadataURI: z.string(),
  version: big,
  manifestHash: hex,
  status: z.enum(['verified', 'unverified']),
  unverified: Unverified.optional(),
  deregistered: z.boolean(),
  manifest: asIs<ToolManifest>().optional(),
  price: z
    .object({ amount: big, asset: z.string(), recipient: z.string(), protocol: z.string() })
    .optional(),
  access: z.object({
    predicate: address.nullable(),
    hints: asIs<AccessHints>().optional(),
    requirements: Requirements.optional(),
    check: Check.optional(),
  }),
  agent: z.object({ name: z.string(), endpoint: z.string(), cardHash: hex }).optional(),
  registeredBlock: big,
})

const WireVersion = z.object({
  version: big,
  manifestHash: hex,
  previousManifestHash: hex,
  metadataURI: z.string(),
  blockNumber: big,
  transactionHash: hex,
  status: z.enum(['verified', 'unverified']),
  unverified: z.object({ reason: z.enum(unverifiedReasons), message: z.string() }).optional(),
  manifest: asIs<ToolManifest>().optional(),
})

/** Where the indexer is: the block it has fully indexed, the chain's head, events applied. */
export const StatusResponse = z.object({
  /** The last block indexed, or null before the first. */
  block: big.nullable(),
  /** The chain's head as the indexer's node sees it. */
  head: big,
  /** Directory events applied so far (rolled back with their blocks). */
  logs: big,
  chainId: z.number().int().positive(),
  address,
  fromBlock: big,
})
export type StatusResponse = z.output<typeof StatusResponse>

/** `POST /directory/search`: what `index.search()` returns, and the block it was read at. */
export const SearchResponse = z.object({
  block: big.nullable(),
  results: z.array(
    z.object({
      listing: WireListing,
      offers: z.array(WireListing),
      relevance: z.number().nullable(),
    }),
  ),
})

/** `GET /directory/tools/:toolId`: one listing with its versions, or null. */
export const ListingResponse = z.object({
  block: big.nullable(),
  listing: WireListing.extend({ versions: z.array(WireVersion) }).nullable(),
})

/** What a wire answer becomes (the schemas above are checked against these types). */
export type SearchAnswer = { block: bigint | null; results: SearchResult[] }
export type ListingAnswer = {
  block: bigint | null
  listing: (Listing & { versions: VersionRecord[] }) | null
}

/**
 * JSON with every bigint as a decimal string: what the indexer sends.
 *
 * @example toWireJson({ toolId: 1n }) // '{"toolId":"1"}'
 */
export function toWireJson(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v))
}
