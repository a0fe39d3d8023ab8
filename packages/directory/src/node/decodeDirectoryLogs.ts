import { toolDirectoryAbi } from '@gotong/contracts'
import { type Hex, type Log, parseEventLogs, toEventSelector } from 'viem'
import type { DirectoryLog } from './writer.js'

type EventName = Extract<(typeof toolDirectoryAbi)[number], { type: 'event' }>['name']

const names = new Map<string, EventName>(
  toolDirectoryAbi.flatMap((item) =>
    item.type === 'event' ? [[toEventSelector(item), item.name] as const] : [],
  ),
)

/**
 * Decodes the directory's logs. The event layouts are fixed and simple, so reading the words
 * directly is several times faster than the general ABI decoder, which matters when an index
 * catches up on hundreds of thousands of logs. Any log that does not have exactly the expected
 * shape goes through viem's decoder instead (and is dropped if that fails too). Addresses come
 * back in lowercase.
 */
export function decodeDirectoryLogs(logs: readonly Log[]): DirectoryLog[] {
  const out: DirectoryLog[] = []
  for (const log of logs) {
    const name = log.topics[0] ? names.get(log.topics[0]) : undefined
    if (!name) continue
    const args = decodeArgs(name, log.topics, log.data)
    if (args) out.push({ ...log, eventName: name, args } as DirectoryLog)
    else out.push(...(parseEventLogs({ abi: toolDirectoryAbi, logs: [log] }) as DirectoryLog[]))
  }
  return out
}

const topicCounts: Record<EventName, number> = {
  ToolRegistered: 4,
  ToolMetadataUpdated: 2,
  AccessPredicateUpdated: 3,
  ToolDeregistered: 2,
  ToolVersioned: 3,
  ManifestPublished: 3,
  AgentCardSet: 2,
  AgentCardCleared: 2,
}

function decodeArgs(name: EventName, topics: readonly Hex[], data: Hex): object | undefined {
  if (topics.length !== topicCounts[name]) return undefined
  const words = (data.length - 2) / 64
  if (!Number.isInteger(words)) return undefined
  const word = (i: number) => data.slice(2 + 64 * i, 66 + 64 * i)
  const hash = (i: number) => `0x${word(i)}` as Hex
  const uint = (topic: Hex | undefined) => BigInt(topic!)
  const address = (topic: Hex | undefined) => `0x${topic!.slice(26)}` as Hex
  /** A `bytes` or `string` whose head word is `i`, as hex; undefined if out of bounds. */
  const dynamic = (i: number): string | undefined => {
    const offset = Number(BigInt(`0x${word(i)}`))
    if (offset % 32 !== 0 || offset / 32 >= words) return undefined
    const length = Number(BigInt(`0x${word(offset / 32)}`))
    const start = 2 + 64 * (offset / 32 + 1)
    if (start + 2 * length > data.length) return undefined
    return data.slice(start, start + 2 * length)
  }
  const text = (i: number) => {
    const hex = dynamic(i)
    return hex === undefined ? undefined : Buffer.from(hex, 'hex').toString('utf8')
  }
  switch (name) {
    case 'ToolRegistered': {
      const metadataURI = words >= 3 ? text(0) : undefined
      if (metadataURI === undefined) return undefined
      return {
        toolId: uint(topics[1]),
        creator: address(topics[2]),
        accessPredicate: address(topics[3]),
        metadataURI,
        manifestHash: hash(1),
      }
    }
    case 'ToolMetadataUpdated': {
      const newURI = words >= 3 ? text(0) : undefined
      if (newURI === undefined) return undefined
      return { toolId: uint(topics[1]), newURI, newHash: hash(1) }
    }
    case 'AccessPredicateUpdated':
      return words === 0 ? { toolId: uint(topics[1]), newPredicate: address(topics[2]) } : undefined
    case 'ToolDeregistered':
      return words === 0 ? { toolId: uint(topics[1]) } : undefined
    case 'ToolVersioned':
      return words === 2
        ? {
            toolId: uint(topics[1]),
            version: uint(topics[2]),
            manifestHash: hash(0),
            previousManifestHash: hash(1),
          }
        : undefined
    case 'ManifestPublished': {
      const manifest = words >= 3 ? dynamic(1) : undefined
      if (manifest === undefined) return undefined
      return {
        toolId: uint(topics[1]),
        version: uint(topics[2]),
        manifestHash: hash(0),
        manifest: `0x${manifest}`,
      }
    }
    case 'AgentCardSet': {
      const endpoint = words >= 5 ? text(0) : undefined
      const agentName = words >= 5 ? text(1) : undefined
      if (endpoint === undefined || agentName === undefined) return undefined
      return { agent: address(topics[1]), endpoint, name: agentName, cardHash: hash(2) }
    }
    case 'AgentCardCleared':
      return words === 0 ? { agent: address(topics[1]) } : undefined
  }
}
