import type { AccessHints, ToolManifest, ValidationIssue } from '@gotong/core'
import { type Address, getAddress, type Hex } from 'viem'
import type { CheckAccessReturnType } from '../actions/checkAccess.js'
import type { GetAccessRequirementsReturnType } from '../actions/getAccessRequirements.js'
import { formatToolRef } from '../toolRef.js'
import type { UnverifiedReason } from '../verifyManifest.js'

/** One tool as the index knows it. */
export type Listing = {
  toolId: bigint
  /** `eip155:<chainId>/erc8257:<directory>/<toolId>`. */
  ref: string
  creator: Address
  metadataURI: string
  /** The current version (1 at registration). */
  version: bigint
  manifestHash: Hex
  /** `verified`: the manifest passed every ERC-8257 consumer check; otherwise see `unverified`. */
  status: 'verified' | 'unverified'
  unverified:
    | { reason: UnverifiedReason; message: string; issues: ValidationIssue[] | undefined }
    | undefined
  deregistered: boolean
  /** The manifest: trusted when verified; for a hash or creator mismatch, what was claimed. */
  manifest: ToolManifest | undefined
  /** The first pricing entry (gotong's channel entry comes first in gotong manifests). */
  price: { amount: bigint; asset: string; recipient: string; protocol: string } | undefined
  access: {
    /** The gate on chain, or null for open access. */
    predicate: Address | null
    /** The manifest's advisory `access` block. */
    hints: AccessHints | undefined
    /** What the predicate reports (`getRequirements`), when asked for. */
    requirements?: GetAccessRequirementsReturnType | undefined
    /** The verdict for `accessibleTo`, when searched with it. */
    check?: (CheckAccessReturnType & { account: Address }) | undefined
  }
  /** The creator's agent card, if it published one. */
  agent: { name: string; endpoint: string; cardHash: Hex } | undefined
  registeredBlock: bigint
}

/** A `tools` row. */
export type ToolRow = {
  tool_id: number
  creator: string
  registered_block: number
  predicate: string | null
  uri: string
  version: number
  manifest_hash: string
  deregistered_block: number | null
  status: 'verified' | 'unverified'
  reason: string | null
  message: string | null
  issues: string | null
  manifest: string | null
}

export function toListing(
  row: ToolRow,
  context: { chainId: number; address: Address; agent: Listing['agent'] },
): Listing {
  const manifest = row.manifest ? (JSON.parse(row.manifest) as ToolManifest) : undefined
  const first = manifest?.pricing?.[0]
  const toolId = BigInt(row.tool_id)
  return {
    toolId,
    ref: formatToolRef(context.chainId, context.address, toolId),
    creator: getAddress(row.creator),
    metadataURI: row.uri,
    version: BigInt(row.version),
    manifestHash: row.manifest_hash as Hex,
    status: row.status,
    unverified:
      row.status === 'verified'
        ? undefined
        : {
            reason: (row.reason ?? 'no_manifest') as UnverifiedReason,
            message: row.message ?? '',
            issues: row.issues ? (JSON.parse(row.issues) as ValidationIssue[]) : undefined,
          },
    deregistered: row.deregistered_block !== null,
    manifest,
    price: first && {
      amount: BigInt(first.amount),
      asset: first.asset,
      recipient: first.recipient,
      protocol: first.protocol,
    },
    access: {
      predicate: row.predicate ? getAddress(row.predicate) : null,
      hints: manifest?.access,
    },
    agent: context.agent,
    registeredBlock: BigInt(row.registered_block),
  }
}
