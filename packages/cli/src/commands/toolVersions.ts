import {
  describeManifestChanges,
  formatToolModel,
  type ManifestChanges,
  manifestChanges,
  toolModelOf,
} from '@gotong/core'
import type { VersionRecord } from '@gotong/directory/node'
import type { PublicClient } from 'viem'
import { when } from './channels/channelContext.js'

/** One version of a tool's lineage, with its block's time and what it changed. */
export type ToolVersionChanges = VersionRecord & {
  /** The block's time, ISO 8601. */
  time: string
  /** What differs from the version before; undefined for the first, or without both manifests. */
  changes: ManifestChanges | undefined
}

/**
 * A tool's lineage as `gotong tool --versions` shows it: each version's block time, and the
 * parts of the manifest it changed (the model spelled out) next to the one before.
 */
export async function toolVersionChanges(
  publicClient: PublicClient,
  versions: readonly VersionRecord[],
): Promise<ToolVersionChanges[]> {
  const blocks = [...new Set(versions.map((v) => v.blockNumber))]
  const times = new Map(
    await Promise.all(
      blocks.map(
        async (blockNumber) =>
          [blockNumber, (await publicClient.getBlock({ blockNumber })).timestamp] as const,
      ),
    ),
  )
  return versions.map((v, i) => {
    const before = i === 0 ? undefined : versions[i - 1]?.manifest
    return {
      ...v,
      time: when(times.get(v.blockNumber) ?? 0n).replace('.000Z', 'Z'),
      changes: before && v.manifest ? manifestChanges(before, v.manifest) : undefined,
    }
  })
}

/** Two lines per version: hash, block, time and status; then what it changed. */
export function formatToolVersion(v: ToolVersionChanges, first: boolean): string[] {
  const status = v.status === 'verified' ? 'verified' : `unverified (${v.unverified?.reason})`
  const head = `  v${v.version}  ${v.manifestHash}  block ${v.blockNumber}  ${v.time}  ${status}`
  const model = v.manifest ? toolModelOf(v.manifest) : undefined
  const what = first
    ? `published${model ? `, model ${formatToolModel(model)}` : ''}`
    : v.changes
      ? `changed: ${describeManifestChanges(v.changes)}`
      : 'changes unknown: no verified manifest for this version or the one before'
  return [head, `      ${what}`]
}
