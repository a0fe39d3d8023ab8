import { zeroHash } from 'viem'
import { refreshProjection } from './refreshProjection.js'
import { checkManifest, storeFetched, storeManifest } from './storeManifest.js'
import {
  type DirectoryLog,
  endBatch,
  type FetchedManifest,
  toolRow,
  toRowId,
  versionHash,
  type WriterState,
} from './writerState.js'

/**
 * Applies decoded logs (and manifests fetched for them) to the store, then refreshes the search
 * projection of every tool they touched. Callers wrap each call in one transaction.
 *
 * @returns how many logs named a tool the store does not know (skipped).
 */
export function applyLogs(
  state: WriterState,
  logs: readonly DirectoryLog[],
  fetched: readonly FetchedManifest[],
): number {
  const { sql, batch } = state
  const touched = new Set<number>()
  const pendingUri = new Map<number, string>()
  let skipped = 0
  for (const log of logs) {
    const block = Number(log.blockNumber)
    const logIndex = log.logIndex ?? 0
    switch (log.eventName) {
      case 'ToolRegistered': {
        const id = toRowId(log.args.toolId)
        if (id === undefined) break
        const predicate = nonZero(log.args.accessPredicate)
        sql(
          `INSERT OR REPLACE INTO tools (tool_id, creator, registered_block, predicate, uri, version, manifest_hash)
           VALUES (?, ?, ?, ?, ?, 1, ?)`,
        ).run(
          id,
          log.args.creator.toLowerCase(),
          block,
          predicate,
          log.args.metadataURI,
          log.args.manifestHash,
        )
        sql(
          `INSERT OR REPLACE INTO versions (tool_id, version, manifest_hash, previous_hash, uri, block_number, transaction_hash)
           VALUES (?, 1, ?, ?, ?, ?, ?)`,
        ).run(id, log.args.manifestHash, zeroHash, log.args.metadataURI, block, log.transactionHash)
        sql(
          'INSERT OR REPLACE INTO access (tool_id, block_number, log_index, predicate) VALUES (?, ?, ?, ?)',
        ).run(id, block, logIndex, predicate)
        batch.tools.set(id, {
          creator: log.args.creator.toLowerCase(),
          uri: log.args.metadataURI,
          version: 1,
        })
        batch.versions.set(`${id}:1`, log.args.manifestHash)
        batch.fresh.add(id)
        touched.add(id)
        break
      }
      case 'ToolMetadataUpdated': {
        const id = toRowId(log.args.toolId)
        if (id !== undefined) pendingUri.set(id, log.args.newURI)
        break
      }
      case 'ToolVersioned': {
        const id = toRowId(log.args.toolId)
        const tool = id === undefined ? undefined : toolRow(state, id)
        if (id === undefined || !tool) {
          skipped++
          break
        }
        const version = Number(log.args.version)
        if (version === 1) break
        const uri = pendingUri.get(id) ?? tool.uri
        sql(
          `INSERT OR REPLACE INTO versions (tool_id, version, manifest_hash, previous_hash, uri, block_number, transaction_hash)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          id,
          version,
          log.args.manifestHash,
          log.args.previousManifestHash,
          uri,
          block,
          log.transactionHash,
        )
        sql('UPDATE tools SET version = ?, manifest_hash = ?, uri = ? WHERE tool_id = ?').run(
          version,
          log.args.manifestHash,
          uri,
          id,
        )
        batch.tools.set(id, { creator: tool.creator, uri, version })
        batch.versions.set(`${id}:${version}`, log.args.manifestHash)
        pendingUri.delete(id)
        touched.add(id)
        break
      }
      case 'ManifestPublished': {
        const id = toRowId(log.args.toolId)
        const tool = id === undefined ? undefined : toolRow(state, id)
        if (id === undefined || !tool) {
          skipped++
          break
        }
        const version = Number(log.args.version)
        const bytes = Buffer.from(log.args.manifest.slice(2), 'hex')
        const hash = versionHash(state, id, version) ?? log.args.manifestHash
        // The directory reverts unless keccak256(bytes) is the event's hash.
        const verification = checkManifest(state, bytes, hash, tool.creator, log.args.manifestHash)
        storeManifest(state, id, version, 'event', block, bytes, verification)
        touched.add(id)
        break
      }
      case 'AccessPredicateUpdated': {
        const id = toRowId(log.args.toolId)
        if (id === undefined || !toolRow(state, id)) {
          skipped++
          break
        }
        const predicate = nonZero(log.args.newPredicate)
        sql(
          'INSERT OR REPLACE INTO access (tool_id, block_number, log_index, predicate) VALUES (?, ?, ?, ?)',
        ).run(id, block, logIndex, predicate)
        sql('UPDATE tools SET predicate = ? WHERE tool_id = ?').run(predicate, id)
        touched.add(id)
        break
      }
      case 'ToolDeregistered': {
        const id = toRowId(log.args.toolId)
        if (id === undefined) break
        sql('UPDATE tools SET deregistered_block = ? WHERE tool_id = ?').run(block, id)
        touched.add(id)
        break
      }
      case 'AgentCardSet':
      case 'AgentCardCleared': {
        const set = log.eventName === 'AgentCardSet' ? log.args : undefined
        sql(
          `INSERT OR REPLACE INTO agents (agent, block_number, log_index, endpoint, name, card_hash)
           VALUES (?, ?, ?, ?, ?, ?)`,
        ).run(
          log.args.agent.toLowerCase(),
          block,
          logIndex,
          set?.endpoint ?? null,
          set?.name ?? null,
          set?.cardHash ?? null,
        )
        break
      }
    }
  }
  storeFetched(state, fetched, touched)
  for (const id of touched) refreshProjection(state, id)
  endBatch(state)
  return skipped
}

function nonZero(address: string): string | null {
  return /^0x0{40}$/i.test(address) ? null : address.toLowerCase()
}
