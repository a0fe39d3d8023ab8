import type { Hex } from 'viem'
import { type ManifestVerification, verifyManifest } from '../../verifyManifest.js'
import { type FetchedManifest, toolRow, versionHash, type WriterState } from './writerState.js'

/** Verifies manifest bytes against the version's hash, its creator and this chain. */
export function checkManifest(
  state: WriterState,
  bytes: Uint8Array,
  manifestHash: string,
  creator: string,
  bytesHash?: Hex,
): ManifestVerification {
  return verifyManifest(bytes, {
    manifestHash: manifestHash as Hex,
    creator: creator as Hex,
    chainId: state.chainId,
    bytesHash,
  })
}

/** Stores one manifest of a tool version (from its event or its URI) with its verdict. */
export function storeManifest(
  state: WriterState,
  id: number,
  version: number,
  source: 'event' | 'uri',
  block: number,
  bytes: Uint8Array | null,
  verification: ManifestVerification,
  fetchedAt: number | null = null,
) {
  const { sql, batch, parsed } = state
  const failed = verification.status === 'unverified' ? verification : undefined
  sql(
    `INSERT OR REPLACE INTO manifests (tool_id, version, source, block_number, status, reason, message, issues, bytes, fetched_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    version,
    source,
    block,
    verification.status,
    failed?.reason ?? null,
    failed?.message ?? null,
    failed?.issues ? JSON.stringify(failed.issues) : null,
    bytes,
    fetchedAt,
  )
  if (verification.manifest) parsed.set(`${id}:${version}:${source}`, verification.manifest)
  const key = `${id}:${version}`
  const rows = (batch.manifests.get(key) ?? []).filter((r) => r.source !== source)
  rows.push({
    source,
    status: verification.status,
    reason: failed?.reason ?? null,
    message: failed?.message ?? null,
    issues: failed?.issues ? JSON.stringify(failed.issues) : null,
    bytes,
  })
  batch.manifests.set(key, rows)
}

/** Stores manifests fetched from URIs, each checked against its version's hash. */
export function storeFetched(
  state: WriterState,
  fetched: readonly FetchedManifest[],
  touched: Set<number>,
) {
  for (const item of fetched) {
    const tool = toolRow(state, item.toolId)
    const hash = versionHash(state, item.toolId, item.version)
    if (!tool || !hash) continue
    const verification: ManifestVerification =
      'bytes' in item.result
        ? checkManifest(state, item.result.bytes, hash, tool.creator)
        : {
            status: 'unverified',
            reason: item.result.oversized ? 'oversized' : 'fetch_failed',
            message: item.result.error,
          }
    const bytes = 'bytes' in item.result ? item.result.bytes : null
    storeManifest(
      state,
      item.toolId,
      item.version,
      'uri',
      item.blockNumber,
      bytes,
      verification,
      item.fetchedAt,
    )
    touched.add(item.toolId)
  }
}
